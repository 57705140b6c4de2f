#include "nc2zarr/base/fingerprint.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

TEST(Fingerprint, DependsOnContentNotOnHowItArrives) {
  Fingerprint whole, pieces, other;
  whole.Add("the quick brown fox jumps over the lazy dog");
  pieces.Add("the quick br");
  pieces.Add("own fox jumps over the lazy dog");
  other.Add("the quick brown fox jumps over the lazy cog");
  EXPECT_EQ(whole.value(), pieces.value());
  EXPECT_NE(whole.value(), other.value());
}

TEST(Fingerprint, LengthMatters) {
  Fingerprint a, b;
  a.Add(std::string(7, '\0'));
  b.Add(std::string(8, '\0'));
  EXPECT_NE(a.value(), b.value());
}

}  // namespace
}  // namespace nc2zarr
