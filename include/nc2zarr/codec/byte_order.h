// Big-endian numbers (every classic NetCDF file) to this machine's order.
#pragma once

#include <cstddef>

namespace nc2zarr {

// Reverses the bytes of each of the `count` elements of `element_size`
// (1, 2, 4 or 8) bytes at data. Elements of one byte stay as they are.
void SwapBytesInPlace(std::byte* data, std::size_t count, std::size_t element_size);

}  // namespace nc2zarr
