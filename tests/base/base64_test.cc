#include "nc2zarr/base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace nc2zarr {
namespace {

std::string Encode(const std::string& s) { return Base64Encode(std::as_bytes(std::span(s.data(), s.size()))); }

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg==");
  EXPECT_EQ(Encode("fo"), "Zm8=");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodes) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10 binary"}) {
    auto decoded = Base64Decode(Encode(s));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(decoded->data()), decoded->size()), s);
  }
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab!d").has_value());
  EXPECT_FALSE(Base64Decode("a=bc").has_value());
}

}  // namespace
}  // namespace nc2zarr
