// --variables: the variables a user asked for, plus what makes them
// self-describing (their coordinates, bounds and grid mappings).
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/model/schema.h"

namespace nc2zarr {

// Paths of the variables to convert, in file order. An empty request keeps
// every variable.
Result<std::vector<std::string>> SelectVariables(const FileSchema& schema, const std::vector<std::string>& requested);

}  // namespace nc2zarr
