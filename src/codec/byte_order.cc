#include "nc2zarr/codec/byte_order.h"

#include <cstdint>
#include <cstring>

namespace nc2zarr {
namespace {

// memcpy in and out keeps unaligned buffers legal; the compiler turns the
// loop into vector shuffles.
template <typename Word, Word (*Swap)(Word)>
void SwapWords(std::byte* data, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    Word w;
    std::memcpy(&w, data + i * sizeof(Word), sizeof(Word));
    w = Swap(w);
    std::memcpy(data + i * sizeof(Word), &w, sizeof(Word));
  }
}

std::uint16_t Swap16(std::uint16_t w) { return __builtin_bswap16(w); }
std::uint32_t Swap32(std::uint32_t w) { return __builtin_bswap32(w); }
std::uint64_t Swap64(std::uint64_t w) { return __builtin_bswap64(w); }

}  // namespace

void SwapBytesInPlace(std::byte* data, std::size_t count, std::size_t element_size) {
  switch (element_size) {
    case 2: SwapWords<std::uint16_t, Swap16>(data, count); break;
    case 4: SwapWords<std::uint32_t, Swap32>(data, count); break;
    case 8: SwapWords<std::uint64_t, Swap64>(data, count); break;
    default: break;
  }
}

}  // namespace nc2zarr
