// --variables and --drop-variables: the variables a user asked for (or all),
// plus what makes them self-describing (their coordinates, bounds and grid
// mappings), less those they dropped.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/model/schema.h"

namespace nc2zarr {

// Paths of the variables to convert, in file order. An empty request keeps
// every variable but the dropped ones.
Result<std::vector<std::string>> SelectVariables(const FileSchema& schema, const std::vector<std::string>& requested,
                                                 const std::vector<std::string>& dropped = {});

}  // namespace nc2zarr
