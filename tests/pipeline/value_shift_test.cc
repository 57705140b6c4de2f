#include "nc2zarr/pipeline/value_shift.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nc2zarr {
namespace {

template <typename T>
std::vector<T> Shifted(std::vector<T> values, DataType type, double offset, const std::vector<Attribute>& attributes) {
  EXPECT_TRUE(ShiftValues(type, attributes, offset, reinterpret_cast<std::byte*>(values.data()), values.size()));
  return values;
}

TEST(ShiftValues, AddsTheOffsetButLeavesMissingValuesAlone) {
  const double nan = std::nan("");
  std::vector<Attribute> attributes = {Attribute::Numeric<double>("_FillValue", DataType::kFloat64, {1e20}),
                                       Attribute::Numeric<double>("missing_value", DataType::kFloat64, {-999})};
  auto out = Shifted<double>({0.5, 1e20, -999, nan, 31}, DataType::kFloat64, 365.0, attributes);
  EXPECT_EQ(out[0], 365.5);
  EXPECT_EQ(out[1], 1e20);
  EXPECT_EQ(out[2], -999);
  EXPECT_TRUE(std::isnan(out[3]));
  EXPECT_EQ(out[4], 396);
}

TEST(ShiftValues, FloatFillComparesInTheVariablesOwnType) {
  // 1e20 as float is not 1e20 as double: the comparison must be in float.
  std::vector<Attribute> attributes = {Attribute::Numeric<float>("_FillValue", DataType::kFloat32, {1e20f})};
  auto out = Shifted<float>({1e20f, 2.0f}, DataType::kFloat32, -1.0, attributes);
  EXPECT_EQ(out[0], 1e20f);
  EXPECT_EQ(out[1], 1.0f);
}

TEST(ShiftValues, IntegersTakeWholeOffsetsBothWays) {
  std::vector<Attribute> attributes = {Attribute::Numeric<std::int32_t>("_FillValue", DataType::kInt32, {-1})};
  EXPECT_EQ(Shifted<std::int32_t>({0, -1, 24}, DataType::kInt32, -24.0, attributes),
            (std::vector<std::int32_t>{-24, -1, 0}));
  EXPECT_EQ(Shifted<std::uint16_t>({30, 7}, DataType::kUInt16, -5.0, {}), (std::vector<std::uint16_t>{25, 2}));
  EXPECT_EQ(Shifted<std::int64_t>({std::int64_t(1) << 40}, DataType::kInt64, 3600.0, {}),
            (std::vector<std::int64_t>{(std::int64_t(1) << 40) + 3600}));
}

TEST(ShiftValues, SaysWhenAnIntegerLeavesItsRange) {
  // seconds since 2020-01-01 moved to seconds since 1950-01-01: past int32.
  std::vector<std::int32_t> seconds = {0, 3600};
  EXPECT_FALSE(ShiftValues(DataType::kInt32, {}, 2208988800.0, reinterpret_cast<std::byte*>(seconds.data()), 2));
  std::vector<std::uint8_t> days = {3};
  EXPECT_FALSE(ShiftValues(DataType::kUInt8, {}, -5.0, reinterpret_cast<std::byte*>(days.data()), 1));
  // Landing on the fill value would read as missing: refused too.
  std::vector<Attribute> fill = {Attribute::Numeric<std::int16_t>("_FillValue", DataType::kInt16, {32767})};
  std::vector<std::int16_t> hours = {6463, 32767};
  EXPECT_FALSE(ShiftValues(DataType::kInt16, fill, 26304.0, reinterpret_cast<std::byte*>(hours.data()), 2));
  std::vector<std::int64_t> wide = {0};
  EXPECT_TRUE(ShiftValues(DataType::kInt64, {}, 2208988800.0, reinterpret_cast<std::byte*>(wide.data()), 1));
  EXPECT_EQ(wide[0], 2208988800);
}

}  // namespace
}  // namespace nc2zarr
