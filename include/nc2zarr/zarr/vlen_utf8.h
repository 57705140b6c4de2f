// numcodecs' VLenUTF8 filter, how zarr-python stores arrays of strings
// (xarray writes NetCDF string variables this way).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

// Layout: uint32 count, then per item a uint32 byte length and the UTF-8
// bytes; all integers little-endian.
std::vector<std::byte> EncodeVlenUtf8(const std::vector<std::string>& items);
Result<std::vector<std::string>> DecodeVlenUtf8(const std::vector<std::byte>& bytes);

}  // namespace nc2zarr
