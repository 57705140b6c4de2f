// The data layout of a classic-format file (CDF-1, CDF-2, CDF-5), read from
// its header. netCDF-C reads past the end of a truncated classic file as
// zeros without an error, so nc2zarr checks the size itself.
#pragma once

#include <cstdint>
#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

// The number of bytes the header says the file must have at least.
// kInvalidInput when the header itself is malformed or cut short.
Result<std::uint64_t> ClassicExpectedSize(const std::string& path);

// kInvalidInput naming the file when it is shorter than its header says.
Status CheckClassicFileComplete(const std::string& path);

}  // namespace nc2zarr
