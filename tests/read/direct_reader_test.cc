#include "nc2zarr/read/direct_reader.h"

#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

std::string EmptyFile(const std::string& tag, int mode) {
  const std::string path = (fs::temp_directory_path() / (tag + std::to_string(::getpid()) + ".nc")).string();
  int nc;
  EXPECT_EQ(nc_create(path.c_str(), NC_CLOBBER | mode, &nc), NC_NOERR);
  nc_close(nc);
  return path;
}

// The reader follows the file's own signature (a classic header, else
// HDF5). --no-direct-reads switches both off; an HDF5 chunk cache
// (--hdf5-cache-mb) switches off only the netCDF-4 one.
TEST(OpenDirectReader, FollowsTheSignatureAndTheSwitches) {
  const std::string classic = EmptyFile("direct_classic_", NC_64BIT_OFFSET);
  const std::string netcdf4 = EmptyFile("direct_nc4_", NC_NETCDF4);
  const std::string text = (fs::temp_directory_path() / ("direct_text_" + std::to_string(::getpid()))).string();
  std::ofstream(text) << "not a NetCDF file\n";

  SetDirectReads({.classic = true, .hdf5_chunks = true});
  EXPECT_NE(OpenDirectReader(classic), nullptr);
  EXPECT_NE(OpenDirectReader(netcdf4), nullptr);
  EXPECT_EQ(OpenDirectReader(text), nullptr);
  EXPECT_EQ(OpenDirectReader(text + ".missing"), nullptr);

  SetDirectReads({.classic = true, .hdf5_chunks = false});
  EXPECT_NE(OpenDirectReader(classic), nullptr);
  EXPECT_EQ(OpenDirectReader(netcdf4), nullptr);

  SetDirectReads({.classic = false, .hdf5_chunks = true});
  EXPECT_EQ(OpenDirectReader(classic), nullptr);
  EXPECT_NE(OpenDirectReader(netcdf4), nullptr);

  SetDirectReads({});  // the defaults, for the tests after this one
  fs::remove(classic);
  fs::remove(netcdf4);
  fs::remove(text);
}

}  // namespace
}  // namespace nc2zarr
