#include "nc2zarr/codec/shuffle.h"

namespace nc2zarr {

void ShuffleBytes(std::span<const std::byte> in, std::size_t element_size, std::vector<std::byte>& out) {
  out.resize(in.size());
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  for (std::size_t j = 0; j < element_size; ++j) {
    std::byte* dst = out.data() + j * n;
    const std::byte* src = in.data() + j;
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i * element_size];
  }
  // Bytes past the last whole element stay where they are, as numcodecs does.
  for (std::size_t k = n * element_size; k < in.size(); ++k) out[k] = in[k];
}

void UnshuffleBytes(std::span<const std::byte> in, std::size_t element_size, std::vector<std::byte>& out) {
  out.resize(in.size());
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  for (std::size_t j = 0; j < element_size; ++j) {
    const std::byte* src = in.data() + j * n;
    std::byte* dst = out.data() + j;
    for (std::size_t i = 0; i < n; ++i) dst[i * element_size] = src[i];
  }
  for (std::size_t k = n * element_size; k < in.size(); ++k) out[k] = in[k];
}

}  // namespace nc2zarr
