#include "nc2zarr/pipeline/unpack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nc2zarr {
namespace {

template <typename Out, typename In>
std::vector<Out> Unpack(DataType raw, const Packing& p, DataType stored, const std::vector<In>& in) {
  std::vector<Out> out(in.size());
  UnpackValues(raw, p, stored, reinterpret_cast<const std::byte*>(in.data()), in.size(),
               reinterpret_cast<std::byte*>(out.data()));
  return out;
}

TEST(UnpackValues, MasksThenScalesInFloat32AsXarrayDoesForMaskedShorts) {
  Packing p{0.0017, 260.0, {-32767}};
  ASSERT_EQ(DecodedType(DataType::kInt16, p), DataType::kFloat32);
  auto got = Unpack<float, std::int16_t>(DataType::kInt16, p, DataType::kFloat32, {-32767, 1000, -20000});
  EXPECT_TRUE(std::isnan(got[0]));
  // Each step rounded to float32: float(1000) * float(0.0017), then + float(260).
  EXPECT_EQ(got[1], float(1000) * float(0.0017) + float(260.0));
  EXPECT_EQ(got[2], float(-20000) * float(0.0017) + float(260.0));
}

TEST(UnpackValues, ScalesInFloat64WhenAnUnmaskedShortHasAnOffset) {
  Packing p{0.0017, 260.0, {}};
  ASSERT_EQ(DecodedType(DataType::kInt16, p), DataType::kFloat64);
  auto got = Unpack<double, std::int16_t>(DataType::kInt16, p, DataType::kFloat64, {1000});
  EXPECT_EQ(got[0], 1000 * 0.0017 + 260.0);
  // Widened into a float64 store, a float32 file's values stay as they were.
  auto widened = Unpack<double, std::int16_t>(DataType::kInt16, Packing{0.5, std::nullopt, {-1}}, DataType::kFloat64,
                                              {-1, 3});
  EXPECT_TRUE(std::isnan(widened[0]));
  EXPECT_EQ(widened[1], 1.5);
}

TEST(UnpackValues, ComparesAndScalesFloat32AsNumpyDoesWithADoubleScalar) {
  // A double missing_value of 1e20 masks float32 data holding 1e20f: numpy
  // compares in float32 when the scalar fits one.
  auto masked = Unpack<float, float>(DataType::kFloat32, Packing{std::nullopt, std::nullopt, {1e20}},
                                     DataType::kFloat32, {1e20f, 2.0f});
  EXPECT_TRUE(std::isnan(masked[0]));
  EXPECT_EQ(masked[1], 2.0f);
  // A scale beyond float32's range is applied in double, then rounded.
  auto scaled = Unpack<float, float>(DataType::kFloat32, Packing{1e39, std::nullopt, {}}, DataType::kFloat32,
                                     {1e-3f, 1.0f});
  EXPECT_EQ(scaled[0], static_cast<float>(static_cast<double>(1e-3f) * 1e39));
  EXPECT_TRUE(std::isinf(scaled[1]));
}

TEST(UnpackValues, AFileWithoutPackingKeepsItsValues) {
  auto got = Unpack<float, std::int16_t>(DataType::kInt16, Packing{}, DataType::kFloat32, {-32767, 7});
  EXPECT_EQ(got[0], -32767.0f);
  EXPECT_EQ(got[1], 7.0f);
  EXPECT_EQ(DecodedType(DataType::kInt16, Packing{}), DataType::kInt16);
  EXPECT_EQ(DecodedType(DataType::kInt32, Packing{std::nullopt, std::nullopt, {-1}}), DataType::kFloat64);
}

}  // namespace
}  // namespace nc2zarr
