#include "nc2zarr/read/classic_layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nc2zarr/sample/sample_data.h"

namespace nc2zarr {
namespace {

std::uint64_t FileSize(const std::string& path) {
  struct stat sb {};
  ::stat(path.c_str(), &sb);
  return static_cast<std::uint64_t>(sb.st_size);
}

class ClassicLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("classic_layout_" + std::to_string(::getpid()));
    SampleSpec spec;
    spec.directory = dir_.string();
    spec.files = 1;
    spec.steps_per_file = 5;
    spec.lat = 7;
    spec.lon = 9;
    spec.netcdf4 = false;
    auto paths = WriteSampleData(spec);
    ASSERT_TRUE(paths.ok()) << paths.status().message();
    path_ = paths->front();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ClassicLayout, ExpectsTheWrittenSize) {
  // The last variable's padding to 4 bytes is not required.
  auto expected = ClassicExpectedSize(path_);
  ASSERT_TRUE(expected.ok()) << expected.status().message();
  EXPECT_LE(*expected, FileSize(path_));
  EXPECT_GT(*expected + 4, FileSize(path_));
  EXPECT_TRUE(CheckClassicFileComplete(path_).ok());
}

TEST_F(ClassicLayout, FindsATruncatedFile) {
  std::filesystem::resize_file(path_, FileSize(path_) - 4);
  Status st = CheckClassicFileComplete(path_);
  ASSERT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(st.message().find(path_ + " is truncated"), std::string::npos);
}

TEST_F(ClassicLayout, FindsACutHeader) {
  std::filesystem::resize_file(path_, 40);
  EXPECT_EQ(ClassicExpectedSize(path_).status().code(), ErrorCode::kInvalidInput);
}

TEST(ClassicLayoutRealFiles, AgreeWithTheirSizes) {
  // Real classic, 64-bit offset and CDF-5 files from other producers.
  const std::string real = NC2ZARR_REAL_DATA;
  for (const char* name : {"ncep_air.sig995.2012_slice.nc", "SMALL_total_column_co2.nc", "eraint_uvz.nc",
                           "rotPole_landAreaFraction.nc", "A1B-99999a-river-sep-2070-2099.nc",
                           "e3sm_map_f_case_16p.cdf5.nc"}) {
    std::string path = real + "/" + name;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no real data at " << real;
    auto expected = ClassicExpectedSize(path);
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    EXPECT_LE(*expected, FileSize(path)) << name;
    EXPECT_GT(*expected + 4, FileSize(path)) << name;  // at most trailing padding
  }
}

}  // namespace
}  // namespace nc2zarr
