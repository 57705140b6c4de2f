#include "nc2zarr/pipeline/input_check.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nc2zarr/base/file_stamp.h"

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

InputFile AsPlanned(const std::string& path) {
  auto stamp = StampOf(path);
  EXPECT_TRUE(stamp.has_value()) << path;
  InputFile f;
  f.path = path;
  f.size_bytes = stamp.value_or(FileStamp{}).size_bytes;
  f.mtime_ns = stamp.value_or(FileStamp{}).mtime_ns;
  return f;
}

TEST(CheckInputsUnchanged, NamesAFileRewrittenSinceThePlanOnTheRankThatOwnsIt) {
  fs::path dir = fs::temp_directory_path() / ("nc2zarr_input_check_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Plan plan;
  for (const char* name : {"a.nc", "b.nc", "c.nc"}) {
    std::ofstream((dir / name).string()) << "recorded";
    plan.files.push_back(AsPlanned((dir / name).string()));
  }
  EXPECT_TRUE(CheckInputsUnchanged(plan, 0, 1).ok());

  // Same size, new content and time: as a file rewritten in place.
  struct timespec later[2] = {{0, UTIME_OMIT}, {plan.files[1].mtime_ns / 1000000000 + 5, 0}};
  std::ofstream((dir / "b.nc").string()) << "replaced";
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "b.nc").c_str(), later, 0), 0);
  Status st = CheckInputsUnchanged(plan, 0, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(st.message().find("input " + (dir / "b.nc").string() + " changed"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nothing was committed"), std::string::npos);
  // With 2 ranks, file 1 is rank 1's to check.
  EXPECT_TRUE(CheckInputsUnchanged(plan, 0, 2).ok());
  EXPECT_FALSE(CheckInputsUnchanged(plan, 1, 2).ok());

  fs::remove((dir / "c.nc"));
  EXPECT_NE(CheckInputsUnchanged(plan, 0, 2).message().find("c.nc"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nc2zarr
