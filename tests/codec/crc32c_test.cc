#include "nc2zarr/codec/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nc2zarr {
namespace {

std::span<const std::byte> Bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(Bytes("")), 0x00000000u);
  EXPECT_EQ(Crc32c(Bytes("123456789")), 0xE3069283u);  // the standard check value
  EXPECT_EQ(Crc32c(Bytes(std::string(32, '\0'))), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(Crc32c(Bytes(std::string(32, '\xff'))), 0x62A8AB43u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 31 + 7);
  for (std::size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    std::uint32_t first = Crc32c(Bytes(data.substr(0, cut)));
    EXPECT_EQ(Crc32cExtend(first, Bytes(data.substr(cut))), Crc32c(Bytes(data))) << "cut at " << cut;
  }
}

// Buffers long enough for the three-stream path agree with the same bytes
// fed in short pieces, which take the one-stream path.
TEST(Crc32c, LongBuffersEqualShortPieces) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += static_cast<char>(i * 131 + i / 251);
  for (std::size_t length : {24575u, 24576u, 24577u, 49152u + 13u, 200000u}) {
    const std::string part = data.substr(0, length);
    std::uint32_t pieces = 0;
    for (std::size_t at = 0; at < length; at += 1000) pieces = Crc32cExtend(pieces, Bytes(part.substr(at, 1000)));
    EXPECT_EQ(Crc32c(Bytes(part)), pieces) << "length " << length;
  }
}

TEST(Crc32c, DetectsASingleBitFlip) {
  std::string data(4096, 'x');
  std::uint32_t before = Crc32c(Bytes(data));
  data[2000] ^= 0x10;
  EXPECT_NE(Crc32c(Bytes(data)), before);
}

}  // namespace
}  // namespace nc2zarr
