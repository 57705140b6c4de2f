#include "nc2zarr/plan/combine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nc2zarr/plan/make_plan.h"

namespace nc2zarr {
namespace {

// A file with time (unlimited unless told), lat, a coordinate for each and
// tas(time, lat), plus a static orog(lat).
FileScan MakeScan(const std::string& path, std::vector<double> times, bool unlimited = true) {
  FileScan s;
  s.schema.path = path;
  GroupSchema root;
  root.dimensions = {{"time", times.size(), unlimited}, {"lat", 3, false}};
  s.schema.groups.push_back(root);
  auto var = [](std::string name, std::vector<std::string> dims, std::vector<std::size_t> shape, DataType t) {
    VariableSchema v;
    v.name = std::move(name);
    v.dims = std::move(dims);
    v.shape = std::move(shape);
    v.type = t;
    return v;
  };
  s.schema.variables = {var("time", {"time"}, {times.size()}, DataType::kFloat64),
                        var("lat", {"lat"}, {3}, DataType::kFloat32),
                        var("tas", {"time", "lat"}, {times.size(), 3}, DataType::kFloat32),
                        var("orog", {"lat"}, {3}, DataType::kFloat32)};
  s.schema.variables.Mutable()[0].attributes.push_back(Attribute::Text("units", "days since 2000-01-01"));
  s.coordinates["time"] = times;
  s.coordinates["lat"] = {-10, 0, 10};
  return s;
}

TEST(CombineFiles, OrdersFilesByTheirFirstTimeNotByName) {
  std::vector<FileScan> scans = {MakeScan("b.nc", {3, 4}), MakeScan("a.nc", {5, 6, 7}), MakeScan("c.nc", {0, 1, 2})};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->concat_dim, "time");
  EXPECT_EQ(layout->order, (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_EQ(layout->must_match, (std::vector<std::string>{"lat", "orog"}));
}

TEST(CombineFiles, DetectsTheDifferingCoordinateWithoutAnUnlimitedDimension) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 1}, false), MakeScan("b.nc", {2, 3}, false)};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->concat_dim, "time");
}

TEST(CombineFiles, DetectsACoordinateThatDiffersOnlyInsideAGroup) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 1}, false), MakeScan("b.nc", {2, 3}, false)};
  for (auto& s : scans) {
    s.coordinates["data_01/time"] = s.coordinates.at("time");
    s.coordinates.erase("time");
  }
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->concat_dim, "time");
}

// As xarray's combine_by_coords: a coordinate that decreases in every file
// (latitude bands from north to south) orders them from the highest down.
TEST(CombineFiles, OrdersFilesAlongADecreasingCoordinateFromTheHighest) {
  std::vector<FileScan> scans = {MakeScan("b.nc", {5, 4, 3}), MakeScan("a.nc", {10, 9}), MakeScan("c.nc", {2, 1, 0})};
  auto layout = CombineFiles(scans, "time");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->order, (std::vector<std::size_t>{1, 0, 2}));

  std::vector<FileScan> overlapping = {MakeScan("a.nc", {10, 9, 8}), MakeScan("b.nc", {8, 7})};
  auto overlap = CombineFiles(overlapping, "time");
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.status().message().find("overlap"), std::string::npos) << overlap.status().message();

  std::vector<FileScan> mixed = {MakeScan("a.nc", {10, 9}), MakeScan("b.nc", {0, 1})};
  auto refused = CombineFiles(mixed, "time");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("the 'time' values in a.nc are not increasing (10 then 9"),
            std::string::npos)
      << refused.status().message();
}

TEST(CombineFiles, RefusesOverlappingTimes) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 1, 2}), MakeScan("b.nc", {2, 3})};
  auto layout = CombineFiles(scans, "");
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(layout.status().message().find("a.nc"), std::string::npos);
  EXPECT_NE(layout.status().message().find("b.nc"), std::string::npos);
  EXPECT_NE(layout.status().message().find("overlap"), std::string::npos);
}

TEST(CombineFiles, RefusesTimesThatDecreaseInsideAFile) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 2, 1}), MakeScan("b.nc", {5, 6})};
  auto layout = CombineFiles(scans, "");
  ASSERT_FALSE(layout.ok());
  EXPECT_NE(layout.status().message().find("not increasing"), std::string::npos);
}

TEST(CombineFiles, RefusesAMissingVariableNamingBothFiles) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[1].schema.variables.Mutable().pop_back();  // no orog in b.nc
  auto layout = CombineFiles(scans, "");
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().message().substr(0, 50), "variable 'orog' is in a.nc but missing from b.nc; ");
  // Leaving it out makes the files combinable.
  EXPECT_TRUE(CombineFiles(scans, "", {"time", "lat", "tas"}).ok());
}

TEST(CombineFiles, RefusesADifferentTypeOrShape) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[1].schema.variables.Mutable()[2].type = DataType::kFloat64;
  EXPECT_NE(CombineFiles(scans, "").status().message().find("is f4 in a.nc but f8 in b.nc"), std::string::npos);
  scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[1].schema.variables.Mutable()[3].shape = {4};
  const std::string shape = CombineFiles(scans, "").status().message();
  EXPECT_NE(shape.find("has shape (3) in a.nc but (4) in b.nc"), std::string::npos) << shape;
  EXPECT_NE(shape.find("leave it out with --drop-variables " + scans[0].schema.variables.Mutable()[3].path()), std::string::npos)
      << shape;
}

TEST(CombineFiles, StoresAConcatenatedVariablePackedDifferentlyUnpacked) {
  // As ERA5 downloads: each file its own scale. Stored values copied under
  // the first file's scale would decode wrongly; decoded ones do not.
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[0].schema.variables.Mutable()[2].type = DataType::kInt16;
  scans[1].schema.variables.Mutable()[2].type = DataType::kInt16;
  scans[0].schema.variables.Mutable()[2].attributes = {Attribute::Numeric("scale_factor", DataType::kFloat64, std::vector<double>{0.5}),
                                             Attribute::Text("units", "K")};
  scans[1].schema.variables.Mutable()[2].attributes = {Attribute::Numeric("scale_factor", DataType::kFloat64, std::vector<double>{2}),
                                             Attribute::Numeric("_FillValue", DataType::kInt16, std::vector<short>{-1}),
                                             Attribute::Text("units", "K")};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->unpacked, (std::set<std::string>{"tas"}));
  auto plan = MakePlan(scans, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const PlannedVariable* tas = plan->FindVariable("tas");
  // int16 without add_offset decodes to float32 in both files (xarray).
  EXPECT_EQ(tas->type, DataType::kFloat32);
  EXPECT_EQ(tas->unpacked_from, DataType::kInt16);
  EXPECT_EQ(FindAttribute(tas->attributes, "scale_factor"), nullptr);
  ASSERT_NE(FindAttribute(tas->attributes, "_FillValue"), nullptr);
  EXPECT_TRUE(std::isnan(FindAttribute(tas->attributes, "_FillValue")->DoubleAt(0)));
  EXPECT_EQ(TextAttribute(tas->attributes, "units"), "K");
  EXPECT_EQ(plan->files[1].packings.at("tas"), (Packing{2.0, std::nullopt, {-1}}));
  ASSERT_FALSE(plan->warnings.empty());
  EXPECT_NE(plan->warnings.back().find("'tas' is packed or masked differently"), std::string::npos);
}

TEST(CombineFiles, ANaNMissingValueMasksNothingSoChangesNothing) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[0].schema.variables.Mutable()[2].type = scans[1].schema.variables.Mutable()[2].type = DataType::kInt32;
  scans[0].schema.variables.Mutable()[2].attributes.push_back(
      Attribute::Numeric("missing_value", DataType::kFloat64, std::vector<double>{NAN}));
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_TRUE(layout->unpacked.empty());
}

TEST(CombineFiles, RefusesAStaticOrUnsignedVariablePackedDifferently) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[0].schema.variables.Mutable()[3].attributes.push_back(Attribute::Numeric("scale_factor", DataType::kFloat32, std::vector<float>{0.5f}));
  scans[1].schema.variables.Mutable()[3].attributes.push_back(Attribute::Numeric("scale_factor", DataType::kFloat32, std::vector<float>{2.0f}));
  auto layout = CombineFiles(scans, "");
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(layout.status().message().find("variable 'orog' has scale_factor 0.5 in a.nc but scale_factor 2 in b.nc"),
            std::string::npos)
      << layout.status().message();
  scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[1].schema.variables.Mutable()[2].attributes.push_back(Attribute::Text("_Unsigned", "true"));
  const std::string unsigned_differs = CombineFiles(scans, "").status().message();
  EXPECT_NE(unsigned_differs.find("has no _Unsigned in a.nc but _Unsigned 'true' in b.nc"), std::string::npos);
  EXPECT_NE(unsigned_differs.find("leave it out with --drop-variables " + scans[0].schema.variables.Mutable()[2].path()),
            std::string::npos)
      << unsigned_differs;
}

TEST(CombineFiles, AcceptsTheSameEncodingStoredWithAnotherType) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  scans[0].schema.variables.Mutable()[2].attributes.push_back(
      Attribute::Numeric("missing_value", DataType::kFloat32, std::vector<float>{1e20f}));
  scans[1].schema.variables.Mutable()[2].attributes.push_back(
      Attribute::Numeric("missing_value", DataType::kFloat64, std::vector<double>{double(1e20f)}));
  scans[0].schema.variables.Mutable()[2].attributes.push_back(
      Attribute::Numeric("_FillValue", DataType::kFloat32, std::vector<float>{NAN}));
  scans[1].schema.variables.Mutable()[2].attributes.push_back(
      Attribute::Numeric("_FillValue", DataType::kFloat32, std::vector<float>{NAN}));
  auto layout = CombineFiles(scans, "");
  EXPECT_TRUE(layout.ok()) << layout.status().message();
}

// A file whose group g declares its own time, of another length, used by g/x.
void AddGroupWithItsOwnTime(FileScan& scan, std::size_t steps) {
  GroupSchema g;
  g.path = "g";
  g.dimensions = {{"time", steps, false}};
  scan.schema.groups.push_back(g);
  VariableSchema x;
  x.group = "g";
  x.name = "x";
  x.dims = {"time"};
  x.shape = {steps};
  scan.schema.variables.push_back(x);
}

TEST(CombineFiles, RefusesGroupsThatDeclareTheConcatDimensionWithOtherLengths) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 1}), MakeScan("b.nc", {2, 3})};
  for (auto& s : scans) AddGroupWithItsOwnTime(s, 4);
  auto layout = CombineFiles(scans, "time");
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(layout.status().message().find("variables 'time' and 'g/x' have 2 and 4 steps along 'time' in a.nc"),
            std::string::npos)
      << layout.status().message();
  // One group at a time is one slice per file, of that group's length.
  layout = CombineFiles(scans, "time", {"g/x"});
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->concat_lengths, (std::vector<std::size_t>{4, 4}));
}

TEST(CombineFiles, ConvertsTimeFromAnotherReferenceDateToTheFirstFilesUnits) {
  // b.nc counts from 2000-01-11: its 0 is a.nc's 10, so it comes after a.nc.
  std::vector<FileScan> scans = {MakeScan("b.nc", {0, 1}), MakeScan("a.nc", {5, 6})};
  scans[0].schema.variables.Mutable()[0].attributes.Mutable()[0] = Attribute::Text("units", "days since 2000-01-11");
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->order, (std::vector<std::size_t>{1, 0}));
  // Offsets are relative to the first file in concat order (a.nc).
  EXPECT_TRUE(layout->value_offsets[1].empty());
  ASSERT_EQ(layout->value_offsets[0].count("time"), 1u);
  EXPECT_DOUBLE_EQ(layout->value_offsets[0].at("time"), 10.0);
  // The plan carries the offset to the readers.
  auto plan = MakePlan(scans, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->files[0].path, "a.nc");
  EXPECT_TRUE(plan->files[0].value_offsets.empty());
  EXPECT_DOUBLE_EQ(plan->files[1].value_offsets.at("time"), 10.0);
}

TEST(CombineFiles, OverlapIsFoundInConvertedTime) {
  // b.nc's 0 is a.nc's 1: the files overlap although their raw values do not.
  std::vector<FileScan> scans = {MakeScan("a.nc", {0, 1}), MakeScan("b.nc", {0, 1})};
  scans[1].schema.variables.Mutable()[0].attributes.Mutable()[0] = Attribute::Text("units", "hours since 2000-01-02");
  auto layout = CombineFiles(scans, "");
  EXPECT_FALSE(layout.ok());  // days and hours: different unit sizes
  scans[1].schema.variables.Mutable()[0].attributes.Mutable()[0] = Attribute::Text("units", "days since 2000-01-02");
  layout = CombineFiles(scans, "");
  ASSERT_FALSE(layout.ok());
  EXPECT_NE(layout.status().message().find("overlap"), std::string::npos) << layout.status().message();
}

TEST(CombineFiles, RefusesTimeUnitsItCannotConvert) {
  auto refused = [](const std::string& units, const std::string& calendar, DataType type, const std::string& why) {
    std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {100})};
    for (auto& scan : scans) scan.schema.variables.Mutable()[0].type = type;
    auto& time = scans[1].schema.variables.Mutable()[0];
    time.attributes.Mutable()[0] = Attribute::Text("units", units);
    if (!calendar.empty()) time.attributes.push_back(Attribute::Text("calendar", calendar));
    auto layout = CombineFiles(scans, "");
    ASSERT_FALSE(layout.ok()) << units << " " << calendar;
    const std::string& message = layout.status().message();
    EXPECT_NE(message.find("'days since 2000-01-01'"), std::string::npos) << message;
    EXPECT_NE(message.find("b.nc"), std::string::npos) << message;
    EXPECT_NE(message.find(why), std::string::npos) << message;
  };
  refused("days since 1900-01-01", "noleap", DataType::kFloat64, "calendar");
  refused("months since 1900-01-01", "", DataType::kFloat64, "months");
  refused("metres", "", DataType::kFloat64, "not time units");
  refused("days since 1999-12-31 12:00", "", DataType::kInt32, "whole number");
}

TEST(CombineFiles, AnUnknownConcatDimIsAUsageError) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  auto layout = CombineFiles(scans, "depth");
  EXPECT_EQ(layout.status().code(), ErrorCode::kUsage);
  EXPECT_NE(layout.status().message().find("time, lat"), std::string::npos);
}

TEST(CombineFiles, AmbiguousFilesAskForAConcatDim) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}, false), MakeScan("b.nc", {0}, false)};
  auto layout = CombineFiles(scans, "");
  EXPECT_EQ(layout.status().code(), ErrorCode::kUsage);
  EXPECT_NE(layout.status().message().find("--concat-dim"), std::string::npos);
}

TEST(CombineFiles, ASingleFileNeedsNoConcatDim) {
  auto layout = CombineFiles({MakeScan("a.nc", {0, 1})}, "");
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->concat_dim, "");
  EXPECT_TRUE(layout->must_match.empty());
}

TEST(CheckIdentical, NamesTheVariableAndTheFiles) {
  std::vector<FileScan> scans = {MakeScan("a.nc", {0}), MakeScan("b.nc", {1})};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok());
  std::vector<std::map<std::string, std::uint64_t>> prints = {{{"lat", 1}, {"orog", 2}}, {{"lat", 1}, {"orog", 3}}};
  Status st = CheckIdentical(*layout, scans, prints);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("variable 'orog' (it has no 'time' dimension) differs between a.nc and b.nc"),
            std::string::npos);
  prints[1]["orog"] = 2;
  EXPECT_TRUE(CheckIdentical(*layout, scans, prints).ok());
}

TEST(MakePlan, ConcatenatesAndChunks) {
  std::vector<FileScan> scans = {MakeScan("b.nc", {3, 4}), MakeScan("a.nc", {0, 1, 2})};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok());
  PlanRequest request;
  request.chunks.sizes = {{"time", 2}};
  auto plan = MakePlan(scans, *layout, request);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->files[0].path, "a.nc");
  EXPECT_EQ(plan->files[1].concat_offset, 3u);
  const PlannedVariable* tas = plan->FindVariable("tas");
  ASSERT_NE(tas, nullptr);
  EXPECT_EQ(tas->shape, (std::vector<std::size_t>{5, 3}));
  EXPECT_EQ(tas->chunks, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(tas->concat_axis, 0);
  EXPECT_EQ(tas->chunk_count(), 3u);
  // The time coordinate stays in one chunk.
  EXPECT_EQ(plan->FindVariable("time")->chunks, (std::vector<std::size_t>{5}));
  EXPECT_EQ(plan->FindVariable("orog")->concat_axis, -1);
}

TEST(MakePlan, WarnsWhenFloat32TimeMovedToTheFirstFilesUnitsIsRounded) {
  // Hourly float32 times; b.nc counts from ten years later, so its values
  // (3652.04... days) need more digits than float32 has.
  auto hourly = [](double first) { return std::vector<double>{first, double(float(first + 1.0 / 24))}; };
  std::vector<FileScan> scans = {MakeScan("a.nc", hourly(0)), MakeScan("b.nc", hourly(0))};
  scans[1].schema.variables.Mutable()[0].attributes.Mutable()[0] = Attribute::Text("units", "days since 2010-01-01");
  for (auto& s : scans) s.schema.variables.Mutable()[0].type = DataType::kFloat32;
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  auto plan = MakePlan(scans, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_NE(plan->warnings[0].find("'time' is float32"), std::string::npos) << plan->warnings[0];
  EXPECT_NE(plan->warnings[0].find("s off"), std::string::npos) << plan->warnings[0];

  // Whole days land exactly: nothing to say. Nor for float64 time.
  scans = {MakeScan("a.nc", {0, 1}), MakeScan("b.nc", {0, 1})};
  scans[1].schema.variables.Mutable()[0].attributes.Mutable()[0] = Attribute::Text("units", "days since 2010-01-01");
  for (auto& s : scans) s.schema.variables.Mutable()[0].type = DataType::kFloat32;
  layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok());
  plan = MakePlan(scans, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->warnings.empty());
}

TEST(MakePlan, StacksCharDimensionsAsXarrayDoes) {
  FileScan s = MakeScan("a.nc", {0});
  s.schema.groups[0].dimensions.push_back({"strlen", 8, false});
  VariableSchema names;
  names.name = "station";
  names.type = DataType::kChar;
  names.dims = {"lat", "strlen"};
  names.shape = {3, 8};
  s.schema.variables.push_back(names);
  auto layout = CombineFiles({s}, "");
  auto plan = MakePlan({s}, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok());
  const PlannedVariable* v = plan->FindVariable("station");
  EXPECT_EQ(v->string_length, 8u);
  EXPECT_EQ(v->dims, (std::vector<std::string>{"lat"}));
  EXPECT_EQ(v->element_size(), 8u);
}

// Text along the files, longer in some: xarray concatenates S5 and S7 into
// S7; the shorter file is padded when read. Text not along the files must
// agree as before.
TEST(MakePlan, TextAlongTheFilesTakesTheLongestLength) {
  auto with_text = [](FileScan s, std::size_t length, std::vector<std::string> dims) {
    s.schema.groups[0].dimensions.push_back({"strlen", length, false});
    VariableSchema text;
    text.name = "label";
    text.type = DataType::kChar;
    text.dims = dims;
    for (const auto& d : dims) text.shape.push_back(d == "strlen" ? length : d == "lat" ? 3 : s.coordinates.at("time").size());
    s.schema.variables.push_back(text);
    return s;
  };
  std::vector<FileScan> scans = {with_text(MakeScan("b.nc", {2, 3}), 7, {"time", "strlen"}),
                                 with_text(MakeScan("a.nc", {0, 1}), 5, {"time", "strlen"})};
  auto layout = CombineFiles(scans, "");
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  auto plan = MakePlan(scans, *layout, PlanRequest{});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->FindVariable("label")->string_length, 7u);
  ASSERT_EQ(plan->files.size(), 2u);
  EXPECT_EQ(plan->files[0].path, "a.nc");
  EXPECT_EQ(plan->files[0].string_lengths, (std::map<std::string, std::size_t>{{"label", 5}}));
  EXPECT_TRUE(plan->files[1].string_lengths.empty());

  std::vector<FileScan> fixed = {with_text(MakeScan("a.nc", {0, 1}), 5, {"lat", "strlen"}),
                                 with_text(MakeScan("b.nc", {2, 3}), 7, {"lat", "strlen"})};
  auto refused = CombineFiles(fixed, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("variable 'label' has shape (3, 5)"), std::string::npos)
      << refused.status().message();
}

TEST(MakePlan, RefusesAnUnsupportedVariableOnlyWhenSelected) {
  FileScan s = MakeScan("a.nc", {0});
  s.schema.variables.Mutable()[3].unsupported = "its type is a user-defined type";
  auto layout = CombineFiles({s}, "");
  auto plan = MakePlan({s}, *layout, PlanRequest{});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("'orog' in a.nc cannot be converted"), std::string::npos);
  PlanRequest request;
  request.variables = {"tas"};
  EXPECT_TRUE(MakePlan({s}, *layout, request).ok());
}

}  // namespace
}  // namespace nc2zarr
