#include "nc2zarr/codec/crc32c.h"

#include <array>

#include "nc2zarr/base/cpu_features.h"

namespace nc2zarr {
namespace internal {
std::uint32_t Crc32cSse42(std::uint32_t state, const unsigned char* p, std::size_t n);
}

namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

// Slicing-by-8 tables for CPUs without the instruction.
struct Tables {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
      t[0][i] = c;
    }
    for (std::size_t s = 1; s < 8; ++s) {
      for (std::uint32_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};
constexpr Tables kTables;

std::uint32_t Crc32cPortable(std::uint32_t s, const unsigned char* p, std::size_t n) {
  const auto& t = kTables.t;
  while (n >= 8) {
    std::uint32_t lo = s ^ (p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24);
    s = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) s = (s >> 8) ^ t[0][(s ^ *p++) & 0xFF];
  return s;
}

}  // namespace

bool Crc32cUsesHardware() { return CpuHasSse42(); }

std::uint32_t Crc32cExtend(std::uint32_t crc, std::span<const std::byte> data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::uint32_t state = ~crc;
  state = CpuHasSse42() ? internal::Crc32cSse42(state, p, data.size()) : Crc32cPortable(state, p, data.size());
  return ~state;
}

std::uint32_t Crc32c(std::span<const std::byte> data) { return Crc32cExtend(0, data); }

}  // namespace nc2zarr
