#include "nc2zarr/model/shared_vector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nc2zarr/model/attribute.h"

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

// A change to a shared vector copies it first: the other holder keeps its own.
TEST(SharedVector, AChangeLeavesTheOtherHolderAlone) {
  SharedVector<Attribute> a = {Attribute::Text("units", "K")};
  SharedVector<Attribute> b = {Attribute::Text("units", "K")};
  b.ShareIfSame(a);
  ASSERT_TRUE(b.SharesWith(a));
  b.push_back(Attribute::Text("long_name", "temperature"));
  EXPECT_FALSE(b.SharesWith(a));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  b.Mutable()[0] = Attribute::Text("units", "degC");
  EXPECT_EQ(TextAttribute(a, "units"), "K");
  EXPECT_EQ(TextAttribute(b, "units"), "degC");

  SharedVector<Attribute> other_units = {Attribute::Text("units", "degC")};
  other_units.ShareIfSame(a);
  EXPECT_FALSE(other_units.SharesWith(a));
}

}  // namespace
}  // namespace nc2zarr
