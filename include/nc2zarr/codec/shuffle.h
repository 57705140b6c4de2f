// numcodecs' byte-shuffle filter: the i-th byte of every element is stored
// together, which lets zstd find the slowly varying high bytes of floats.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace nc2zarr {

// out[j * n + i] = in[i * element_size + j] for n elements.
void ShuffleBytes(std::span<const std::byte> in, std::size_t element_size, std::vector<std::byte>& out);
void UnshuffleBytes(std::span<const std::byte> in, std::size_t element_size, std::vector<std::byte>& out);
// The same into a caller's buffer of in.size() bytes (which must not overlap in).
void UnshuffleInto(std::span<const std::byte> in, std::size_t element_size, std::byte* out);

}  // namespace nc2zarr
