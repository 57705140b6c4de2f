#include "nc2zarr/pipeline/inputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

class ExpandInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nc2zarr_inputs_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Touch(const std::string& name) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << "x";
    return path;
  }
  fs::path dir_;
};

TEST_F(ExpandInputsTest, PatternsExpandInNameOrderAndRepeatsCountOnce) {
  std::string b = Touch("b.nc"), a = Touch("a.nc");
  ::testing::internal::CaptureStderr();
  auto got = ExpandInputs({(dir_ / "*.nc").string(), a});
  const std::string said = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{a, b}));
  EXPECT_NE(said.find(a + " is named more than once; each file is converted once"), std::string::npos) << said;
}

TEST_F(ExpandInputsTest, OneFileSpelledTwoWaysCountsOnce) {
  std::string a = Touch("a.nc");
  fs::create_symlink(a, dir_ / "link.nc");
  fs::create_hard_link(a, dir_ / "hard.nc");
  ::testing::internal::CaptureStderr();
  auto got = ExpandInputs({a, (dir_ / "." / "a.nc").string(), (dir_ / "link.nc").string(), (dir_ / "hard.nc").string()});
  const std::string said = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{a}));
  EXPECT_NE(said.find("and 2 more input(s) are named more than once"), std::string::npos) << said;
}

TEST_F(ExpandInputsTest, AnExistingFileIsTakenAsItIsEvenWithGlobCharactersInItsName) {
  std::string bracketed = Touch("run[1].nc");
  Touch("run1.nc");  // what the name would match as a pattern
  auto got = ExpandInputs({bracketed});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{bracketed}));

  std::string list = (dir_ / "list.txt").string();
  std::ofstream(list) << "# inputs\n" << bracketed << "\n\n";
  got = ExpandInputs({"@" + list});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{bracketed}));
}

TEST_F(ExpandInputsTest, PathsAreAbsoluteSoARerunSpelledOtherwiseIsTheSameJob) {
  std::string a = Touch("a.nc");
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  auto got = ExpandInputs({"a.nc", "./*.nc"});
  fs::current_path(cwd);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{a}));
}

TEST_F(ExpandInputsTest, ADirectoryLinkFollowedByDotDotIsWhereTheSystemGoes) {
  // top/link -> real/deep/sub: top/link/../f.nc is real/deep/f.nc, not top/f.nc.
  fs::create_directories(dir_ / "real" / "deep" / "sub");
  fs::create_directories(dir_ / "top");
  fs::create_directory_symlink(dir_ / "real" / "deep" / "sub", dir_ / "top" / "link");
  std::string wanted = Touch("real/deep/f.nc");
  Touch("top/f.nc");  // the file a textual `..` would pick
  auto got = ExpandInputs({(dir_ / "top" / "link" / ".." / "f.nc").string()});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{fs::weakly_canonical(wanted).string()}));
  // A file that is itself a link keeps its name.
  fs::create_symlink(wanted, dir_ / "named.nc");
  got = ExpandInputs({(dir_ / "named.nc").string()});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<std::string>{(fs::weakly_canonical(dir_) / "named.nc").string()}));
}

TEST_F(ExpandInputsTest, AnInputListNamingNoFileIsAUsageErrorNamingIt) {
  std::string list = (dir_ / "list.txt").string();
  std::ofstream(list) << "# nothing yet\n\n";
  auto got = ExpandInputs({"@" + list});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(got.status().message(), "the input list " + list + " names no file");
}

TEST_F(ExpandInputsTest, APatternMatchingNothingIsAUsageErrorNamingIt) {
  auto got = ExpandInputs({(dir_ / "none*.nc").string()});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUsage);
  EXPECT_NE(got.status().message().find("no files match"), std::string::npos);
  EXPECT_NE(got.status().message().find("none*.nc"), std::string::npos);
}

}  // namespace
}  // namespace nc2zarr
