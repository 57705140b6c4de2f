// Compiled with -msse4.2; called only when the CPU reports SSE4.2.
#include <nmmintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace nc2zarr::internal {
namespace {

// The crc32 instruction takes 3 cycles but can start one a cycle, so three
// independent streams over three blocks run ~3x one stream; the blocks'
// CRCs are then joined by moving each over the bytes that follow it.
constexpr std::size_t kBlock = 8192;

std::uint64_t Load(const unsigned char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// The raw CRC state after kBlock zero bytes is linear in the state before:
// a table per state byte of what that byte turns into.
struct BlockShift {
  std::uint32_t table[4][256];

  BlockShift() {
    std::uint32_t bit[32];
    for (int b = 0; b < 32; ++b) {
      std::uint64_t s = std::uint64_t{1} << b;
      for (std::size_t i = 0; i < kBlock; i += 8) s = _mm_crc32_u64(s, 0);
      bit[b] = static_cast<std::uint32_t>(s);
    }
    for (int k = 0; k < 4; ++k) {
      for (unsigned v = 0; v < 256; ++v) {
        std::uint32_t r = 0;
        for (int b = 0; b < 8; ++b) {
          if ((v >> b) & 1) r ^= bit[8 * k + b];
        }
        table[k][v] = r;
      }
    }
  }
  std::uint32_t operator()(std::uint64_t state) const {
    const auto s = static_cast<std::uint32_t>(state);
    return table[0][s & 0xFF] ^ table[1][(s >> 8) & 0xFF] ^ table[2][(s >> 16) & 0xFF] ^ table[3][s >> 24];
  }
};

}  // namespace

std::uint32_t Crc32cSse42(std::uint32_t state, const unsigned char* p, std::size_t n) {
  std::uint64_t s = state;
  if (n >= 3 * kBlock) {
    static const BlockShift shift;
    do {
      std::uint64_t a = s, b = 0, c = 0;
      for (std::size_t i = 0; i < kBlock; i += 8) {
        a = _mm_crc32_u64(a, Load(p + i));
        b = _mm_crc32_u64(b, Load(p + kBlock + i));
        c = _mm_crc32_u64(c, Load(p + 2 * kBlock + i));
      }
      s = shift(shift(a) ^ b) ^ c;
      p += 3 * kBlock;
      n -= 3 * kBlock;
    } while (n >= 3 * kBlock);
  }
  while (n >= 8) {
    s = _mm_crc32_u64(s, Load(p));
    p += 8;
    n -= 8;
  }
  auto s32 = static_cast<std::uint32_t>(s);
  while (n-- > 0) s32 = _mm_crc32_u8(s32, *p++);
  return s32;
}

}  // namespace nc2zarr::internal
