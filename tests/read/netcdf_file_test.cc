#include "nc2zarr/read/netcdf_file.h"

#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

// A file with a compressed float field (read by a direct reader), a double
// and a text variable (read by netCDF-C).
std::string MakeFile(const std::string& tag, int mode) {
  const std::string path = (fs::temp_directory_path() / (tag + std::to_string(::getpid()) + ".nc")).string();
  int nc, t, y, n, field, value, label;
  EXPECT_EQ(nc_create(path.c_str(), NC_CLOBBER | mode, &nc), NC_NOERR);
  nc_def_dim(nc, "time", 2, &t);
  nc_def_dim(nc, "y", 8192, &y);
  nc_def_dim(nc, "nchar", 5, &n);
  int field_dims[] = {t, y}, label_dims[] = {t, n};
  nc_def_var(nc, "field", NC_FLOAT, 2, field_dims, &field);
  nc_def_var(nc, "value", NC_DOUBLE, 1, &t, &value);
  nc_def_var(nc, "label", NC_CHAR, 2, label_dims, &label);
  if (mode & NC_NETCDF4) {
    std::size_t chunks[] = {1, 8192};
    nc_def_var_chunking(nc, field, NC_CHUNKED, chunks);
    nc_def_var_deflate(nc, field, 1, 1, 1);
  }
  nc_enddef(nc);
  std::vector<float> values(2 * 8192);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) * 0.5f;
  nc_put_var_float(nc, field, values.data());
  double v[] = {1.5, 2.5};
  nc_put_var_double(nc, value, v);
  nc_put_var_text(nc, label, "aaaaabbbbb");
  EXPECT_EQ(nc_close(nc), NC_NOERR);
  return path;
}

class NetcdfFileOpenedWhenRead : public ::testing::TestWithParam<int> {};

TEST_P(NetcdfFileOpenedWhenRead, ReadsNumbersAndTextTheSameAsAnOpenFile) {
  const std::string path = MakeFile("opened_when_read_", GetParam());
  for (bool lazily : {true, false}) {
    SCOPED_TRACE(lazily ? "OpenWhenRead" : "Open");
    std::optional<NetcdfFile> file;
    if (lazily) {
      file.emplace(NetcdfFile::OpenWhenRead(path));
    } else {
      auto opened = NetcdfFile::Open(path);
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      file.emplace(std::move(*opened));
    }
    const std::size_t start[] = {1, 0}, count[] = {1, 8192};
    std::vector<float> row(8192);
    ASSERT_TRUE(file->ReadSlab("field", DataType::kFloat32, start, count, row.data()).ok());
    EXPECT_EQ(row[0], 8192 * 0.5f);
    EXPECT_EQ(row[8191], 16383 * 0.5f);

    const std::size_t text_start[] = {1, 0}, text_count[] = {1, 5};
    char text[5];
    ASSERT_TRUE(file->ReadSlab("label", DataType::kChar, text_start, text_count, text).ok());
    EXPECT_EQ(std::string(text, 5), "bbbbb");

    auto doubles = file->ReadDoubles("value", 2);
    ASSERT_TRUE(doubles.ok());
    EXPECT_EQ(*doubles, (std::vector<double>{1.5, 2.5}));
  }
  fs::remove(path);
}

// A variable of another type than the plan's (the file was replaced since
// the scan) is refused, naming it, instead of read into a buffer sized for
// the planned type.
TEST_P(NetcdfFileOpenedWhenRead, AnotherTypeThanPlannedIsAnError) {
  const std::string path = MakeFile("another_type_", GetParam());
  NetcdfFile file = NetcdfFile::OpenWhenRead(path);
  const std::size_t start[] = {0}, count[] = {2};
  std::vector<float> out(2);
  Status st = file.ReadSlab("value", DataType::kFloat32, start, count, out.data());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'value' in " + path), std::string::npos) << st.message();
  fs::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Formats, NetcdfFileOpenedWhenRead, ::testing::Values(NC_NETCDF4, NC_64BIT_OFFSET));

TEST(NetcdfFileOpenedWhenRead, AMissingFileIsNamedAtTheFirstRead) {
  const std::string path = (fs::temp_directory_path() / "no_such_input_file.nc").string();
  NetcdfFile file = NetcdfFile::OpenWhenRead(path);
  const std::size_t start[] = {0}, count[] = {1};
  float out = 0;
  Status st = file.ReadSlab("field", DataType::kFloat32, start, count, &out);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot open " + path + ": no such file"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace nc2zarr
