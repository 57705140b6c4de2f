#include "nc2zarr/zarr/array_metadata.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nc2zarr/zarr/attributes.h"
#include "nc2zarr/zarr/keys.h"
#include "nc2zarr/zarr/vlen_utf8.h"

namespace nc2zarr {
namespace {

TEST(ZarrDtype, UsesNumpyNames) {
  EXPECT_EQ(ZarrDtype(DataType::kInt16, 0), "<i2");
  EXPECT_EQ(ZarrDtype(DataType::kUInt8, 0), "|u1");
  EXPECT_EQ(ZarrDtype(DataType::kFloat64, 0), "<f8");
  EXPECT_EQ(ZarrDtype(DataType::kChar, 0), "|S1");
  EXPECT_EQ(ZarrDtype(DataType::kChar, 24), "|S24");
  EXPECT_EQ(ZarrDtype(DataType::kString, 0), "|O");
}

TEST(MapFillValue, FollowsTheVariableType) {
  auto f4 = Attribute::Numeric<float>("_FillValue", DataType::kFloat32, {1e20f});
  EXPECT_EQ(MapFillValue(DataType::kFloat32, &f4).fill_value.get<double>(), static_cast<double>(1e20f));
  auto nan = Attribute::Numeric<double>("_FillValue", DataType::kFloat64, {std::nan("")});
  EXPECT_EQ(MapFillValue(DataType::kFloat64, &nan).fill_value, "NaN");
  auto i2 = Attribute::Numeric<short>("_FillValue", DataType::kInt16, {-32767});
  EXPECT_EQ(MapFillValue(DataType::kInt16, &i2).fill_value, -32767);
  EXPECT_TRUE(MapFillValue(DataType::kInt16, nullptr).fill_value.is_null());
}

TEST(MapFillValue, StoresACharFillAsBase64BytesAsXarrayDoes) {
  auto x = Attribute::Text("_FillValue", "X");
  auto m = MapFillValue(DataType::kChar, &x);
  EXPECT_EQ(m.fill_value, "WA==");
  EXPECT_FALSE(m.keep_as_attribute);
}

TEST(MapFillValue, KeepsAnUnrepresentableFillAsAnAttribute) {
  // eraint_uvz.nc: a double NaN _FillValue on an int16 variable.
  auto nan = Attribute::Numeric<double>("_FillValue", DataType::kFloat64, {std::nan("")});
  auto m = MapFillValue(DataType::kInt16, &nan);
  EXPECT_TRUE(m.fill_value.is_null());
  EXPECT_TRUE(m.keep_as_attribute);
  auto big = Attribute::Numeric<int>("_FillValue", DataType::kInt32, {70000});
  EXPECT_TRUE(MapFillValue(DataType::kInt16, &big).keep_as_attribute);
  auto whole = Attribute::Numeric<double>("_FillValue", DataType::kFloat64, {-1.0});
  EXPECT_EQ(MapFillValue(DataType::kInt16, &whole).fill_value, -1);
}

TEST(ArrayMetadata, HasEveryZarrV2Field) {
  ArrayMetadata m{{10, 4}, {5, 4}, "<f4", "NaN", CompressorJson(CompressorSpec{}), nullptr};
  auto j = m.ToJson();
  EXPECT_EQ(j["zarr_format"], 2);
  EXPECT_EQ(j["order"], "C");
  EXPECT_EQ(j["compressor"]["id"], "zstd");
  EXPECT_EQ(j["compressor"]["level"], 1);
  EXPECT_TRUE(j["filters"].is_null());
  EXPECT_EQ(j["shape"], nlohmann::json({10, 4}));
}

TEST(AttributeToJson, LooksLikeNetcdf4Python) {
  EXPECT_EQ(AttributeToJson(Attribute::Text("units", std::string("K\0", 2))), "K");
  EXPECT_EQ(AttributeToJson(Attribute::Numeric<float>("s", DataType::kFloat32, {0.01f})),
            static_cast<double>(0.01f));
  EXPECT_EQ(AttributeToJson(Attribute::Numeric<int>("r", DataType::kInt32, {1, 2})), nlohmann::json({1, 2}));
  Attribute strings;
  strings.type = DataType::kString;
  strings.strings = {"a", "b"};
  EXPECT_EQ(AttributeToJson(strings), nlohmann::json({"a", "b"}));
  strings.strings = {""};
  EXPECT_EQ(AttributeToJson(strings), "");
}

TEST(Keys, FollowZarrV2) {
  std::vector<std::size_t> index = {1, 0, 3};
  EXPECT_EQ(ChunkKey("tas", index), "tas/1.0.3");
  EXPECT_EQ(ChunkKey("g/height", {}), "g/height/0");
  EXPECT_EQ(MetadataKey("", kZgroup), ".zgroup");
  EXPECT_EQ(MetadataKey("data_01/ku", kZattrs), "data_01/ku/.zattrs");
}

TEST(VlenUtf8, RoundTripsWithTheNumcodecsLayout) {
  auto bytes = EncodeVlenUtf8({"ab", "", "\xc3\xa9"});
  ASSERT_EQ(bytes.size(), 4u + 6 + 4 + 4 + 2);
  EXPECT_EQ(bytes[0], std::byte{3});  // little-endian count
  EXPECT_EQ(bytes[4], std::byte{2});
  auto back = DecodeVlenUtf8(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (std::vector<std::string>{"ab", "", "\xc3\xa9"}));
  bytes.pop_back();
  EXPECT_FALSE(DecodeVlenUtf8(bytes).ok());
}

}  // namespace
}  // namespace nc2zarr
