#include "nc2zarr/plan/chunking.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

PlannedVariable Var(std::string name, std::vector<std::string> dims, std::vector<std::size_t> shape,
                    DataType type = DataType::kFloat32) {
  PlannedVariable v;
  v.name = std::move(name);
  v.dims = std::move(dims);
  v.shape = std::move(shape);
  v.type = type;
  return v;
}

TEST(ChooseChunks, WholeFieldsAlongTimeNearTheTarget) {
  // 361 x 720 float32 = 1.04 MB per step: 100 MB -> 96 steps.
  std::vector<PlannedVariable> vars = {Var("tas", {"time", "lat", "lon"}, {1000, 361, 720}),
                                       Var("time", {"time"}, {1000}, DataType::kFloat64)};
  ASSERT_TRUE(ChooseChunks(vars, "time", ChunkRequest{{}, 100}).ok());
  EXPECT_EQ(vars[0].chunks, (std::vector<std::size_t>{100, 361, 720}));
  EXPECT_EQ(vars[1].chunks, (std::vector<std::size_t>{1000}));
}

TEST(ChooseChunks, HonoursRequestedSizesAndMinusOne) {
  std::vector<PlannedVariable> vars = {Var("tas", {"time", "lat", "lon"}, {100, 90, 180})};
  ASSERT_TRUE(ChooseChunks(vars, "time", ChunkRequest{{{"time", 24}, {"lon", -1}, {"lat", 1000}}, 100}).ok());
  EXPECT_EQ(vars[0].chunks, (std::vector<std::size_t>{24, 90, 180}));
}

TEST(ChooseChunks, SplitsSpaceWhenOneStepIsTooBig) {
  std::vector<PlannedVariable> vars = {Var("big", {"time", "y", "x"}, {10, 8192, 8192})};  // 256 MB per step
  ASSERT_TRUE(ChooseChunks(vars, "time", ChunkRequest{{}, 100}).ok());
  EXPECT_EQ(vars[0].chunks[0], 1u);
  double mb = 4.0 * static_cast<double>(vars[0].chunks[1] * vars[0].chunks[2]) / (1 << 20);
  EXPECT_LE(mb, 100);
  EXPECT_GT(mb, 25);
}

TEST(ChooseChunks, SharesADimensionsSizeAcrossVariables) {
  std::vector<PlannedVariable> vars = {Var("small", {"time", "lat"}, {1000, 10}),
                                       Var("big", {"time", "lat", "lon"}, {1000, 10, 100000})};
  ASSERT_TRUE(ChooseChunks(vars, "time", ChunkRequest{{}, 10}).ok());
  EXPECT_EQ(vars[0].chunks[0], vars[1].chunks[0]);
}

TEST(ChooseChunks, RejectsUnknownDimensionsAndBadSizes) {
  std::vector<PlannedVariable> vars = {Var("tas", {"time", "lat"}, {10, 10})};
  Status st = ChooseChunks(vars, "time", ChunkRequest{{{"depth", 3}}, 100});
  EXPECT_EQ(st.code(), ErrorCode::kUsage);
  EXPECT_NE(st.message().find("'depth'"), std::string::npos);
  EXPECT_EQ(ChooseChunks(vars, "time", ChunkRequest{{{"time", -2}}, 100}).code(), ErrorCode::kUsage);
  EXPECT_EQ(ChooseChunks(vars, "time", ChunkRequest{{}, 0}).code(), ErrorCode::kUsage);
}

TEST(ChooseChunks, ScalarsAndEmptyDimensions) {
  std::vector<PlannedVariable> vars = {Var("height", {}, {}), Var("empty", {"time"}, {0})};
  vars[1].name = "values";
  ASSERT_TRUE(ChooseChunks(vars, "time", ChunkRequest{}).ok());
  EXPECT_TRUE(vars[0].chunks.empty());
  EXPECT_EQ(vars[0].chunk_count(), 1u);
  EXPECT_EQ(vars[1].chunks, (std::vector<std::size_t>{1}));
  EXPECT_EQ(vars[1].chunk_count(), 0u);
}

TEST(ChunkWarnings, FlagsChunksThatReadManyFiles) {
  Plan plan;
  plan.concat_dim = "time";
  for (int i = 0; i < 20; ++i) plan.files.push_back(InputFile{"f" + std::to_string(i), 0, 0, std::size_t(i), 1, {}, {}, {}});
  plan.variables = {Var("tas", {"time", "lat"}, {20, 10})};
  plan.variables[0].chunks = {20, 10};
  plan.variables[0].concat_axis = 0;
  auto warnings = ChunkWarnings(plan);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("reads from about 20 input files"), std::string::npos);
}

// A run's 250 variables alike draw one line, not 250.
TEST(ChunkWarnings, VariablesWithTheSameWarningShareALine) {
  Plan plan;
  plan.concat_dim = "time";
  for (int i = 0; i < 20; ++i) plan.files.push_back(InputFile{"f" + std::to_string(i), 0, 0, std::size_t(i), 1, {}, {}, {}});
  auto add = [&](const std::string& name, std::size_t chunk) {
    plan.variables.push_back(Var(name, {"time", "lat"}, {20, 10}));
    plan.variables.back().chunks = {chunk, 10};
    plan.variables.back().concat_axis = 0;
  };
  add("a", 20);
  add("b", 20);
  auto two = ChunkWarnings(plan);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0], "each chunk of 'a' and 'b' reads from about 20 input files; a smaller 'time' chunk would read fewer");
  add("c", 20);
  add("d", 20);
  add("other", 10);  // another count: its own line
  auto five = ChunkWarnings(plan);
  ASSERT_EQ(five.size(), 2u);
  EXPECT_EQ(five[0], "each chunk of 'a', 'b' and 2 more variables reads from about 20 input files; a smaller 'time' "
                     "chunk would read fewer");
  EXPECT_EQ(five[1], "each chunk of 'other' reads from about 10 input files; a smaller 'time' chunk would read fewer");
}

TEST(ChunkWarnings, FlagsChunksThatCutThroughTheInputsHdf5Chunks) {
  Plan plan;
  plan.variables = {Var("tas", {"time", "lat", "lon"}, {60, 361, 720})};
  plan.variables[0].input_chunks = {1, 361, 720};
  plan.variables[0].chunks = {30, 361, 720};  // aligned: whole fields
  EXPECT_TRUE(ChunkWarnings(plan).empty());
  plan.variables[0].chunks = {30, 100, 720};  // a field split in 4 pieces
  auto warnings = ChunkWarnings(plan);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cut through the inputs' HDF5 chunks (1, 361, 720): each is read and inflated up to 5 times"),
            std::string::npos);
}

TEST(ChunkWarnings, CountsHdf5ChunksOnlyAsFarAsTheFilesGo) {
  // HDF5 chunks of 1024 records in files of 3: a Zarr chunk of 2 records
  // reads each at most 3 times, not 513.
  Plan plan;
  plan.concat_dim = "time";
  for (int i = 0; i < 2; ++i) plan.files.push_back(InputFile{"f" + std::to_string(i), 0, 0, std::size_t(3 * i), 3, {}, {}, {}});
  plan.variables = {Var("v", {"time", "x"}, {6, 5})};
  plan.variables[0].input_chunks = {1024, 5};
  plan.variables[0].chunks = {2, 5};
  plan.variables[0].concat_axis = 0;
  auto warnings = ChunkWarnings(plan);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("read and inflated up to 3 times"), std::string::npos) << warnings[0];
}

TEST(ChunkAt, CoversEdgeChunksPartially) {
  PlannedVariable v = Var("tas", {"time", "lat"}, {5, 3});
  v.chunks = {2, 2};
  EXPECT_EQ(v.chunk_count(), 6u);
  ChunkRegion last = ChunkAt(v, 5);
  EXPECT_EQ(last.index, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(last.start, (std::vector<std::size_t>{4, 2}));
  EXPECT_EQ(last.count, (std::vector<std::size_t>{1, 1}));
}

}  // namespace
}  // namespace nc2zarr
