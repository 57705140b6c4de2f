// Dimensions that xarray reads as the characters of fixed-width strings.
#pragma once

#include <set>
#include <string>

#include "nc2zarr/model/schema.h"

namespace nc2zarr {

// xarray turns a char variable's last dimension into fixed-width strings
// when no variable is named after that dimension and every variable using it
// is char with it last (conventions.decode_cf_variables, "stackable"). The
// dimensions of group (its own variables) for which that holds.
std::set<std::string> StringDims(const FileSchema& schema, const std::string& group);

}  // namespace nc2zarr
