#include "nc2zarr/codec/compressor.h"

#include <gtest/gtest.h>
#include <zstd.h>

namespace nc2zarr {
namespace {

TEST(CompressorSpec, ParsesWhatUsersWrite) {
  EXPECT_EQ(CompressorSpec::Parse("zstd")->level, 1);
  EXPECT_EQ(CompressorSpec::Parse("zstd:7")->level, 7);
  EXPECT_EQ(CompressorSpec::Parse("none")->kind, CompressorSpec::Kind::kNone);
  EXPECT_EQ(CompressorSpec::Parse("gzip").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(CompressorSpec::Parse("zstd:x").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(CompressorSpec::Parse("zstd:99").status().code(), ErrorCode::kUsage);
  EXPECT_EQ(CompressorSpec::Parse("zstd:3")->ToString(), "zstd:3");
}

TEST(ZstdCompressor, RoundTripsAndRecordsTheContentSize) {
  auto zstd = MakeCompressor(*CompressorSpec::Parse("zstd:1"));
  std::vector<std::byte> in(100000), decoded;
  ByteBuffer encoded;
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::byte>((i * i) % 251);
  ASSERT_TRUE(zstd->Encode(in, encoded).ok());
  EXPECT_LT(encoded.size(), in.size());
  // numcodecs needs the frame to carry its decompressed size.
  EXPECT_EQ(ZSTD_getFrameContentSize(encoded.data(), encoded.size()), in.size());
  ASSERT_TRUE(zstd->Decode(encoded, decoded).ok());
  EXPECT_EQ(decoded, in);
}

TEST(ZstdCompressor, EmptyInputRoundTrips) {
  auto zstd = MakeCompressor(CompressorSpec{});
  std::vector<std::byte> in, decoded{std::byte{1}};
  ByteBuffer encoded;
  ASSERT_TRUE(zstd->Encode(in, encoded).ok());
  ASSERT_TRUE(zstd->Decode(encoded, decoded).ok());
  EXPECT_TRUE(decoded.empty());
}

TEST(ZstdCompressor, RejectsGarbage) {
  auto zstd = MakeCompressor(CompressorSpec{});
  std::vector<std::byte> garbage(64, std::byte{0x42}), out;
  EXPECT_EQ(zstd->Decode(garbage, out).code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace nc2zarr
