#include "nc2zarr/read/classic_reader.h"

#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <vector>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

// How a variable compared with nc_get_vara over many slabs.
struct Agreement {
  int handled = 0;   // read directly, bytes equal to netCDF-C's
  int declined = 0;  // left to netCDF-C
  int differed = 0;  // read directly with other bytes, or an error
};

std::size_t ElementSize(nc_type type) {
  std::size_t size = 0;
  nc_inq_type(NC_GLOBAL, type, nullptr, &size);
  return size;
}

// Slabs as Zarr chunks cut them (whole fields along the first axis), whole
// variables, and random boxes; each read both ways.
Agreement Compare(int ncid, int varid, const std::string& name, ClassicReader& reader, int trials = 40) {
  nc_type type;
  int rank;
  nc_inq_vartype(ncid, varid, &type);
  nc_inq_varndims(ncid, varid, &rank);
  std::vector<int> dimids(static_cast<std::size_t>(rank));
  nc_inq_vardimid(ncid, varid, dimids.data());
  std::vector<std::size_t> shape(static_cast<std::size_t>(rank));
  for (int a = 0; a < rank; ++a) nc_inq_dimlen(ncid, dimids[static_cast<std::size_t>(a)], &shape[static_cast<std::size_t>(a)]);
  const std::size_t es = ElementSize(type);
  Agreement result;
  std::mt19937 rng(static_cast<unsigned>(varid) + 5);
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::size_t> start(shape.size()), count(shape.size());
    bool empty = false;
    for (std::size_t a = 0; a < shape.size(); ++a) {
      if (shape[a] == 0) empty = true;
      if (empty) break;
      if (trial == 0 || (trial % 3 == 1 && a > 0)) {
        count[a] = shape[a];  // the whole variable; whole fields
      } else {
        start[a] = rng() % shape[a];
        count[a] = 1 + rng() % (shape[a] - start[a]);
      }
    }
    if (empty) return result;
    std::size_t n = es;
    for (std::size_t c : count) n *= c;
    std::vector<std::byte> expected(n), actual(n, std::byte{0x5a});
    EXPECT_EQ(nc_get_vara(ncid, varid, start.data(), count.data(), expected.data()), NC_NOERR) << name;
    auto done = reader.ReadSlab(name, start, count, es, actual.data());
    if (!done.ok()) {
      ADD_FAILURE() << name << ": " << done.status().message();
      ++result.differed;
    } else if (!*done) {
      ++result.declined;
    } else if (expected != actual) {
      ADD_FAILURE() << name << ": bytes differ from netCDF-C's in trial " << trial;
      ++result.differed;
    } else {
      ++result.handled;
    }
  }
  return result;
}

// Record variables of every width (padded to 4 bytes between records when
// they do not fill whole words), fixed-size variables, and in CDF-5 its
// unsigned and 64-bit types.
class ClassicReaderTest : public ::testing::TestWithParam<int> {
 protected:
  static constexpr std::size_t kRecords = 6, kY = 65, kX = 131;

  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("classic_reader_" + std::to_string(::getpid()) + ".nc")).string();
    int nc, t, y, x, z;
    ASSERT_EQ(nc_create(path_.c_str(), NC_CLOBBER | GetParam(), &nc), NC_NOERR);
    nc_def_dim(nc, "time", NC_UNLIMITED, &t);
    nc_def_dim(nc, "y", kY, &y);
    nc_def_dim(nc, "x", kX, &x);
    nc_def_dim(nc, "z", 3, &z);
    int record_dims[] = {t, y, x}, fixed_dims[] = {z, y, x};
    std::vector<std::pair<const char*, nc_type>> record = {
        {"time", NC_DOUBLE}, {"rf", NC_FLOAT}, {"rs", NC_SHORT}, {"rb", NC_BYTE}, {"rd", NC_DOUBLE}, {"ri", NC_INT}};
    std::vector<std::pair<const char*, nc_type>> fixed = {{"ff", NC_FLOAT}, {"fd", NC_DOUBLE}, {"fs", NC_SHORT}};
    if (GetParam() == NC_64BIT_DATA) {
      record.push_back({"ru64", NC_UINT64});
      record.push_back({"rus", NC_USHORT});
      fixed.push_back({"fi64", NC_INT64});
      fixed.push_back({"fui", NC_UINT});
    }
    for (auto& [name, type] : record) {
      int v;
      ASSERT_EQ(nc_def_var(nc, name, type, std::string(name) == "time" ? 1 : 3, record_dims, &v), NC_NOERR);
      vars_.push_back(v);
    }
    for (auto& [name, type] : fixed) {
      int v;
      ASSERT_EQ(nc_def_var(nc, name, type, 3, fixed_dims, &v), NC_NOERR);
      vars_.push_back(v);
    }
    ASSERT_EQ(nc_enddef(nc), NC_NOERR);
    std::mt19937_64 rng(3);
    for (int v : vars_) {
      nc_type type;
      int rank;
      nc_inq_vartype(nc, v, &type);
      nc_inq_varndims(nc, v, &rank);
      const bool is_record = v < static_cast<int>(record.size());
      std::size_t start[3] = {0, 0, 0};
      std::size_t count[3] = {is_record ? kRecords : 3, kY, kX};
      std::size_t n = count[0] * (rank == 3 ? kY * kX : 1);
      std::vector<unsigned char> bytes(n * ElementSize(type));
      for (auto& b : bytes) b = static_cast<unsigned char>(rng());
      if (type == NC_FLOAT || type == NC_DOUBLE) {
        std::vector<double> d(n);
        for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<double>(rng() % 100000) / 7.0 - 5000;
        ASSERT_EQ(nc_put_vara_double(nc, v, start, count, d.data()), NC_NOERR);
      } else {
        ASSERT_EQ(nc_put_vara(nc, v, start, count, bytes.data()), NC_NOERR);
      }
    }
    ASSERT_EQ(nc_close(nc), NC_NOERR);
    ASSERT_EQ(nc_open(path_.c_str(), NC_NOWRITE, &ncid_), NC_NOERR);
  }
  void TearDown() override {
    nc_close(ncid_);
    fs::remove(path_);
  }

  std::string Name(int varid) const {
    char name[NC_MAX_NAME + 1];
    nc_inq_varname(ncid_, varid, name);
    return name;
  }

  std::string path_;
  int ncid_ = -1;
  std::vector<int> vars_;
};

TEST_P(ClassicReaderTest, ReadsWhatNetcdfCReads) {
  auto reader = ClassicReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  for (int v : vars_) {
    const std::string name = Name(v);
    Agreement a = Compare(ncid_, v, name, *reader);
    EXPECT_EQ(a.differed, 0) << name;
    if (name == "time" || name == "rb") {
      // One value a record, and byte records under kMinRunBytes: all left to netCDF-C.
      EXPECT_EQ(a.handled, 0) << name;
    } else {
      // Whole fields are long runs: at least those are read directly.
      EXPECT_GE(a.handled, 13) << name;
    }
  }
}

TEST_P(ClassicReaderTest, DeclinesWhatItCannotRead) {
  auto reader = ClassicReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  std::vector<std::byte> out(kY * kX * 8);
  std::size_t start[] = {0, 0, 0}, field[] = {1, kY, kX};
  EXPECT_FALSE(*reader->ReadSlab("missing", start, field, 4, out.data()));
  EXPECT_FALSE(*reader->ReadSlab("rf", start, field, 8, out.data()));  // not its element size
  std::size_t past[] = {kRecords, 0, 0};
  EXPECT_FALSE(*reader->ReadSlab("rf", past, field, 4, out.data()));  // beyond the records: netCDF-C's error
  std::size_t column[] = {1, kY, 1};
  EXPECT_FALSE(*reader->ReadSlab("rf", start, column, 4, out.data()));  // 4-byte runs
}

TEST_P(ClassicReaderTest, ReportsATruncatedFile) {
  nc_close(ncid_);
  ncid_ = -1;
  fs::resize_file(path_, fs::file_size(path_) - 1000);
  auto reader = ClassicReader::Open(path_);
  ASSERT_NE(reader, nullptr);
  std::vector<std::byte> out(kRecords * kY * kX * 8);
  std::size_t start[] = {0, 0, 0}, all[] = {kRecords, kY, kX};
  const bool cdf5 = GetParam() == NC_64BIT_DATA;  // the last record variable: its last record is cut
  auto done = reader->ReadSlab(cdf5 ? "rus" : "ri", start, all, cdf5 ? 2 : 4, out.data());
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(done.status().message().find(path_ + " is truncated"), std::string::npos) << done.status().message();
}

INSTANTIATE_TEST_SUITE_P(Formats, ClassicReaderTest, ::testing::Values(0, NC_64BIT_OFFSET, NC_64BIT_DATA),
                         [](const auto& info) {
                           return info.param == 0 ? "Cdf1" : info.param == NC_64BIT_OFFSET ? "Cdf2" : "Cdf5";
                         });

// A lone record variable is stored without padding between records.
TEST(ClassicReader, ReadsALoneShortRecordVariable) {
  const std::string path = (fs::temp_directory_path() / ("lone_" + std::to_string(::getpid()) + ".nc")).string();
  constexpr std::size_t kY = 65, kX = 131, kT = 5;  // 17030-byte records: not whole words
  int nc, t, y, x, v;
  ASSERT_EQ(nc_create(path.c_str(), NC_CLOBBER | NC_64BIT_OFFSET, &nc), NC_NOERR);
  nc_def_dim(nc, "time", NC_UNLIMITED, &t);
  nc_def_dim(nc, "y", kY, &y);
  nc_def_dim(nc, "x", kX, &x);
  int dims[] = {t, y, x};
  nc_def_var(nc, "lone", NC_SHORT, 3, dims, &v);
  nc_enddef(nc);
  std::vector<short> values(kT * kY * kX);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<short>(i * 31 % 65521 - 32000);
  std::size_t start[] = {0, 0, 0}, count[] = {kT, kY, kX};
  ASSERT_EQ(nc_put_vara_short(nc, v, start, count, values.data()), NC_NOERR);
  ASSERT_EQ(nc_close(nc), NC_NOERR);

  ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR);
  auto reader = ClassicReader::Open(path);
  ASSERT_NE(reader, nullptr);
  Agreement a = Compare(nc, v, "lone", *reader);
  EXPECT_EQ(a.differed, 0);
  EXPECT_GE(a.handled, 13);
  nc_close(nc);
  fs::remove(path);
}

TEST(ClassicReader, IsNotForNetcdf4Files) {
  const std::string path = (fs::temp_directory_path() / ("nc4_" + std::to_string(::getpid()) + ".nc")).string();
  int nc;
  ASSERT_EQ(nc_create(path.c_str(), NC_CLOBBER | NC_NETCDF4, &nc), NC_NOERR);
  nc_close(nc);
  EXPECT_EQ(ClassicReader::Open(path), nullptr);
  fs::remove(path);
}

// Real classic, 64-bit offset and CDF-5 files from other producers: every
// numeric variable read both ways agrees, and the large ones go direct.
TEST(ClassicReaderRealFiles, ReadWhatNetcdfCReads) {
  const std::string real = NC2ZARR_REAL_DATA;
  int handled = 0;
  for (const char* name : {"ncep_air.sig995.2012_slice.nc", "SMALL_total_column_co2.nc", "eraint_uvz.nc",
                           "rotPole_landAreaFraction.nc", "A1B-99999a-river-sep-2070-2099.nc",
                           "e3sm_map_f_case_16p.cdf5.nc",
                           "cmip5_HadGEM2-ES_rcp85_tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc"}) {
    const std::string path = real + "/" + name;
    if (!fs::exists(path)) GTEST_SKIP() << "no real data at " << real;
    int nc, nvars;
    ASSERT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR) << name;
    auto reader = ClassicReader::Open(path);
    ASSERT_NE(reader, nullptr) << name;
    nc_inq_nvars(nc, &nvars);
    for (int v = 0; v < nvars; ++v) {
      nc_type type;
      char vname[NC_MAX_NAME + 1];
      nc_inq_vartype(nc, v, &type);
      nc_inq_varname(nc, v, vname);
      if (type == NC_CHAR) continue;  // text goes through netCDF-C
      Agreement a = Compare(nc, v, vname, *reader, 12);
      EXPECT_EQ(a.differed, 0) << name << " " << vname;
      handled += a.handled;
    }
    nc_close(nc);
  }
  EXPECT_GE(handled, 20);  // the data variables of several files
}

}  // namespace
}  // namespace nc2zarr
