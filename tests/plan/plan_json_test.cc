#include "nc2zarr/plan/plan_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nc2zarr/plan/work_list.h"
#include "nc2zarr/plan/selection.h"

namespace nc2zarr {
namespace {

Plan SamplePlan() {
  Plan plan;
  plan.concat_dim = "time";
  plan.files = {{"a.nc", 10, 20, 0, 3, {}, {}, {{"station", 5}}},
                {"b.nc", 11, 21, 3, 2, {{"time", -31.0}}, {{"t2m", Packing{0.01, 250.0, {-32767}}}}, {}}};
  plan.groups = {{"", {Attribute::Text("title", "t\xc3\xa9st")}}};
  PlannedVariable v;
  v.name = "tas";
  v.dims = {"time", "lat"};
  v.shape = {5, 4};
  v.chunks = {2, 4};
  v.concat_axis = 0;
  v.attributes = {Attribute::Numeric<float>("_FillValue", DataType::kFloat32, {std::nanf("")}),
                  Attribute::Numeric<double>("valid_range", DataType::kFloat64, {-1.5, 1e300})};
  PlannedVariable s;
  s.name = "names";
  s.type = DataType::kString;
  Attribute strings;
  strings.name = "flag_meanings";
  strings.type = DataType::kString;
  strings.strings = {"a", ""};
  s.attributes = {strings};
  plan.variables = {v, s};
  plan.warnings = {"w"};
  return plan;
}

TEST(PlanJson, RoundTripsEveryBit) {
  Plan plan = SamplePlan();
  PlannedVariable packed = plan.variables[0];  // stored unpacked (b.nc's packing is in SamplePlan)
  packed.name = "t2m";
  packed.type = DataType::kFloat64;
  packed.unpacked_from = DataType::kInt16;
  plan.variables.push_back(packed);
  auto back = PlanFromJson(PlanToJson(plan));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, plan);  // the NaN _FillValue compares by its bytes
}

TEST(PlanJson, RejectsSomethingElse) {
  EXPECT_EQ(PlanFromJson("{}").status().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(PlanFromJson("not json").status().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(PlanFromJson(R"({"format":"nc2zarr-plan/1"})").status().code(), ErrorCode::kDataLoss);
}

TEST(WorkList, CoversEveryChunkOnceOrderedAlongTime) {
  Plan plan = SamplePlan();
  plan.variables[1].chunks = {};
  plan.variables[1].attributes.clear();
  plan.variables[0].attributes.push_back(Attribute::Text("coordinates", "names"));
  auto lists = MakeWorkList(plan);
  ASSERT_EQ(lists.root_items.size(), 1u);  // the coordinate "names" goes to rank 0
  EXPECT_EQ(lists.root_items[0].variable, 1u);
  auto work = lists.shared_items;
  work.insert(work.end(), lists.root_items.begin(), lists.root_items.end());
  ASSERT_EQ(work.size(), 3u + 1u);
  std::set<std::pair<std::uint32_t, std::uint64_t>> seen;
  std::size_t last_start = 0;
  for (const auto& item : lists.shared_items) {
    const PlannedVariable& v = plan.variables[item.variable];
    std::size_t start = v.concat_axis < 0 ? 0 : ChunkAt(v, item.chunk).start[0];
    EXPECT_GE(start, last_start);
    last_start = start;
  }
  for (const auto& item : work) EXPECT_TRUE(seen.insert({item.variable, item.chunk}).second);
  EXPECT_EQ(seen.size(), 4u);
}

TEST(SelectVariables, BringsCoordinatesBoundsAndGridMappings) {
  FileSchema schema;
  schema.path = "a.nc";
  auto var = [](std::string name, std::vector<std::string> dims) {
    VariableSchema v;
    v.name = std::move(name);
    v.dims = std::move(dims);
    return v;
  };
  schema.variables = {var("time", {"time"}), var("time_bnds", {"time", "bnds"}), var("lat", {"lat"}),
                      var("tas", {"time", "lat"}), var("pr", {"time", "lat"}), var("crs", {}), var("height", {})};
  schema.variables.Mutable()[0].attributes = {Attribute::Text("bounds", "time_bnds")};
  schema.variables.Mutable()[3].attributes = {Attribute::Text("coordinates", "height"), Attribute::Text("grid_mapping", "crs")};
  auto selected = SelectVariables(schema, {"tas"});
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(*selected, (std::vector<std::string>{"time", "time_bnds", "lat", "tas", "crs", "height"}));
  auto unknown = SelectVariables(schema, {"tos"});
  EXPECT_EQ(unknown.status().code(), ErrorCode::kUsage);
  EXPECT_NE(unknown.status().message().find("'tos'"), std::string::npos);

  // Dropped: gone even where a kept variable names it.
  auto dropped = SelectVariables(schema, {"tas"}, {"height"});
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, (std::vector<std::string>{"time", "time_bnds", "lat", "tas", "crs"}));
  auto all_but = SelectVariables(schema, {}, {"pr", "height"});
  ASSERT_TRUE(all_but.ok());
  EXPECT_EQ(*all_but, (std::vector<std::string>{"time", "time_bnds", "lat", "tas", "crs"}));
  EXPECT_EQ(SelectVariables(schema, {}, {"tos"}).status().code(), ErrorCode::kUsage);
  EXPECT_EQ(SelectVariables(schema, {"tas"}, {"tas"}).status().code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace nc2zarr
