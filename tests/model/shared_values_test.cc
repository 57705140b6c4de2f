#include "nc2zarr/model/shared_values.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nc2zarr {
namespace {

TEST(SharedValues, SharesOnlyValuesEqualBitForBit) {
  SharedValues lat = {-10, 0, 10};
  SharedValues same = std::vector<double>{-10, 0, 10};
  EXPECT_FALSE(same.SharesWith(lat));
  same.ShareIfSame(lat);
  EXPECT_TRUE(same.SharesWith(lat));
  EXPECT_EQ(same.values(), (std::vector<double>{-10, 0, 10}));

  SharedValues negative_zero = {-10, -0.0, 10};  // == compares it equal; a reader would see -0
  negative_zero.ShareIfSame(lat);
  EXPECT_FALSE(negative_zero.SharesWith(lat));
  EXPECT_TRUE(std::signbit(negative_zero[1]));

  SharedValues shorter = {-10, 0};
  shorter.ShareIfSame(lat);
  EXPECT_FALSE(shorter.SharesWith(lat));

  const double nan = std::numeric_limits<double>::quiet_NaN();
  SharedValues a = {nan, 1}, b = {nan, 1}, other_payload = {-nan, 1};
  b.ShareIfSame(a);
  EXPECT_TRUE(b.SharesWith(a));  // the same NaN: same bits
  other_payload.ShareIfSame(a);
  EXPECT_FALSE(other_payload.SharesWith(a));

  SharedValues empty, also_empty;
  also_empty.ShareIfSame(empty);
  EXPECT_TRUE(also_empty.SharesWith(empty));
  EXPECT_TRUE(also_empty.empty());
}

}  // namespace
}  // namespace nc2zarr
