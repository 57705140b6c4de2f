// Compiled with -msse4.2; called only when the CPU reports SSE4.2.
#include <nmmintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace nc2zarr::internal {

std::uint32_t Crc32cSse42(std::uint32_t state, const unsigned char* p, std::size_t n) {
  std::uint64_t s = state;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    s = _mm_crc32_u64(s, word);
    p += 8;
    n -= 8;
  }
  auto s32 = static_cast<std::uint32_t>(s);
  while (n-- > 0) s32 = _mm_crc32_u8(s32, *p++);
  return s32;
}

}  // namespace nc2zarr::internal
