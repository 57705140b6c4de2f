#include "nc2zarr/read/hdf5_chunk_reader.h"

#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <random>

namespace nc2zarr {
namespace {

// A netCDF-4 file with one 3-D variable per layout the fast path must get
// right or refuse: deflate, shuffle+deflate (float and short), fletcher32,
// contiguous, a variable with an unwritten chunk, and characters (NC_CHAR)
// deflated, uncompressed and partly unwritten.
class Hdf5ChunkReaderTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kT = 7, kY = 13, kX = 10;
  static constexpr float kHoleFill = -999.5f;

  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("direct_" + std::to_string(::getpid()) + ".nc")).string();
    int nc, t, y, x;
    ASSERT_EQ(nc_create(path_.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc), NC_NOERR);
    nc_def_dim(nc, "time", NC_UNLIMITED, &t);
    nc_def_dim(nc, "y", kY, &y);
    nc_def_dim(nc, "x", kX, &x);
    int dims[] = {t, y, x};
    std::size_t chunks[] = {2, 5, 4};  // edge chunks in every dimension
    std::size_t field_chunks[] = {1, kY, kX};  // whole fields: each fills a contiguous run of a slab
    auto def = [&](const char* name, nc_type type, int shuffle, int deflate, bool fletcher, bool contiguous,
                   std::size_t* shape = nullptr) {
      int v;
      nc_def_var(nc, name, type, 3, dims, &v);
      if (contiguous) {
        nc_def_var_chunking(nc, v, NC_CONTIGUOUS, nullptr);
      } else {
        nc_def_var_chunking(nc, v, NC_CHUNKED, shape ? shape : chunks);
        if (deflate || shuffle) nc_def_var_deflate(nc, v, shuffle, deflate, 1);
        if (fletcher) nc_def_var_fletcher32(nc, v, NC_FLETCHER32);
      }
      return v;
    };
    int deflate = def("deflate", NC_FLOAT, 0, 1, false, false);
    int shuffled = def("shuffled", NC_FLOAT, 1, 1, false, false);
    int shorts = def("shorts", NC_SHORT, 1, 4, false, false);
    int fletcher = def("fletcher", NC_DOUBLE, 0, 1, true, false);
    int sparse = def("sparse", NC_FLOAT, 0, 1, false, false);
    int fields = def("fields", NC_FLOAT, 1, 1, false, false, field_chunks);
    int plain_fields = def("plain_fields", NC_DOUBLE, 0, 2, false, false, field_chunks);
    int uncompressed = def("uncompressed", NC_FLOAT, 0, 0, false, false);
    int holes = def("holes", NC_FLOAT, 0, 1, false, false);
    int text = def("text", NC_CHAR, 1, 1, false, false);
    int plain_text = def("plain_text", NC_CHAR, 0, 0, false, true);
    int text_holes = def("text_holes", NC_CHAR, 0, 0, false, false);
    nc_put_att_float(nc, holes, "_FillValue", NC_FLOAT, 1, &kHoleFill);
    nc_enddef(nc);
    std::mt19937 rng(7);
    std::vector<float> f(kT * kY * kX);
    std::vector<short> s(f.size());
    std::vector<double> d(f.size());
    std::string c(f.size(), '\0');
    for (std::size_t i = 0; i < f.size(); ++i) {
      f[i] = static_cast<float>(i) * 0.25f + static_cast<float>(rng() % 100);
      s[i] = static_cast<short>(rng() % 60000 - 30000);
      d[i] = static_cast<double>(rng()) / 7.0;
      if (rng() % 4 != 0) c[i] = static_cast<char>('A' + rng() % 58);  // letters, some NULs as padding
    }
    std::size_t start[] = {0, 0, 0}, count[] = {kT, kY, kX};
    nc_put_vara_float(nc, deflate, start, count, f.data());
    nc_put_vara_float(nc, shuffled, start, count, f.data());
    nc_put_vara_short(nc, shorts, start, count, s.data());
    nc_put_vara_double(nc, fletcher, start, count, d.data());
    nc_put_vara_float(nc, fields, start, count, f.data());
    nc_put_vara_double(nc, plain_fields, start, count, d.data());
    nc_put_vara_float(nc, uncompressed, start, count, f.data());
    std::size_t corner[] = {2, 5, kX};  // 2 records, their first chunk row along y: the rest unwritten
    nc_put_vara_float(nc, holes, start, corner, f.data());
    nc_put_vara_text(nc, text, start, count, c.data());
    nc_put_vara_text(nc, plain_text, start, count, c.data());
    nc_put_vara_text(nc, text_holes, start, corner, c.data());
    std::size_t part[] = {2, kY, kX};  // only the first time chunk row of "sparse"
    nc_put_vara_float(nc, sparse, start, part, f.data());
    ASSERT_EQ(nc_close(nc), NC_NOERR);
    ASSERT_EQ(nc_open(path_.c_str(), NC_NOWRITE, &ncid_), NC_NOERR);
  }
  void TearDown() override {
    nc_close(ncid_);
    std::filesystem::remove(path_);
  }

  // The fast path's bytes equal nc_get_vara's for every slab tried, or the
  // fast path declines.
  std::optional<bool> Agree(const char* name, std::size_t element_size, Hdf5ChunkReader& reader) {
    int v;
    nc_inq_varid(ncid_, name, &v);
    std::mt19937 rng(11);
    bool handled_all = true;
    for (int trial = 0; trial < 60; ++trial) {
      std::size_t start[3], count[3], shape[3] = {kT, kY, kX};
      for (int a = 0; a < 3; ++a) {
        start[a] = rng() % shape[a];
        count[a] = 1 + rng() % (shape[a] - start[a]);
        if (trial % 3 == 0 && a > 0) {  // whole fields, as Zarr chunks along time read them
          start[a] = 0;
          count[a] = shape[a];
        }
      }
      std::size_t n = count[0] * count[1] * count[2] * element_size;
      std::vector<std::byte> expected(n), actual(n);
      nc_get_vara(ncid_, v, start, count, expected.data());
      auto done = reader.ReadSlab(name, start, count, element_size, actual.data());
      if (!done.ok()) return std::nullopt;
      if (!*done) {
        handled_all = false;
        continue;
      }
      if (expected != actual) return std::nullopt;
    }
    return handled_all;
  }

  std::string path_;
  int ncid_ = -1;
};

TEST_F(Hdf5ChunkReaderTest, ReadsDeflatedAndShuffledChunksExactly) {
  auto reader = Hdf5ChunkReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Agree("deflate", 4, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("shuffled", 4, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("shorts", 2, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("fields", 4, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("plain_fields", 8, *reader), std::optional<bool>(true));
}

// Layouts it does not inflate itself (other filters, no filter) are read
// with H5Dread on the open file, exactly as netCDF-C reads them.
TEST_F(Hdf5ChunkReaderTest, ReadsOtherLayoutsThroughHdf5Exactly) {
  auto reader = Hdf5ChunkReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Agree("fletcher", 8, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("uncompressed", 4, *reader), std::optional<bool>(true));

  // Unwritten chunks inside the variable's extent read as its fill value.
  int v;
  nc_inq_varid(ncid_, "holes", &v);
  std::size_t start[] = {0, 0, 0}, count[] = {2, kY, kX};
  std::vector<float> expected(2 * kY * kX), actual(expected.size());
  ASSERT_EQ(nc_get_vara_float(ncid_, v, start, count, expected.data()), NC_NOERR);
  auto done = reader->ReadSlab("holes", start, count, 4, actual.data());
  ASSERT_TRUE(done.ok() && *done);
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(actual.back(), kHoleFill);
}

// Characters are bytes as stored, deflated or not; unwritten ones are NULs.
TEST_F(Hdf5ChunkReaderTest, ReadsCharactersExactly) {
  auto reader = Hdf5ChunkReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Agree("text", 1, *reader), std::optional<bool>(true));
  EXPECT_EQ(Agree("plain_text", 1, *reader), std::optional<bool>(true));
  // 2 of 7 records written: exact where read, declined past them.
  EXPECT_EQ(Agree("text_holes", 1, *reader), std::optional<bool>(false));
  std::vector<char> out(kX, 'x');
  std::size_t start[] = {1, kY - 1, 0}, count[] = {1, 1, kX};  // in a chunk never written
  ASSERT_TRUE(*reader->ReadSlab("text_holes", start, count, 1, out.data()));
  EXPECT_EQ(out, std::vector<char>(kX, '\0'));
  // Not as another element size.
  std::vector<std::byte> wide(4);
  std::size_t one[] = {1, 1, 1};
  EXPECT_FALSE(*reader->ReadSlab("text", start, one, 4, wide.data()));
}

TEST_F(Hdf5ChunkReaderTest, DeclinesWhatNetcdfFillsOrDoesNotHold) {
  auto reader = Hdf5ChunkReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  // "sparse" holds 2 of the 7 records: reads past them are declined
  // (netCDF-C fills them); the others are exact.
  EXPECT_EQ(Agree("sparse", 4, *reader), std::optional<bool>(false));
  std::vector<std::byte> out(4);
  std::size_t start[] = {0, 0, 0}, count[] = {1, 1, 1};
  EXPECT_FALSE(*reader->ReadSlab("missing", start, count, 4, out.data()));
}

TEST(Hdf5ChunkReader, IsNotForClassicFiles) {
  auto path = (std::filesystem::temp_directory_path() / ("classic_" + std::to_string(::getpid()) + ".nc")).string();
  int nc;
  ASSERT_EQ(nc_create(path.c_str(), NC_CLOBBER, &nc), NC_NOERR);
  nc_close(nc);
  EXPECT_EQ(Hdf5ChunkReader::Open(path), nullptr);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nc2zarr
