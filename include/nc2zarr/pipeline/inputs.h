// The input files a user names: paths, quoted glob patterns, @list files.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

// Expands each argument: "@list.txt" reads one path a line (blank lines and
// lines starting with # skipped); a path that exists is taken as it is; else
// a pattern with *, ? or [ expands to the matching files in name order (an
// error when none match); anything else is taken as a path. Duplicates are
// dropped, keeping the first.
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& arguments);

}  // namespace nc2zarr
