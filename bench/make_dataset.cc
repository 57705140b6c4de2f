// make_dataset: writes the benchmark dataset of issue 7.
//
// Defaults: 20 NetCDF-4 files of 30 time steps each (600 in all), a 361 x 720
// global grid, three float32 variables (t2m, sst, tp) with HDF5 chunks
// 1 x 361 x 720, deflate level 1 + shuffle, and CF metadata (time with units
// and calendar; lat and lon coordinates).
//
// The values are smooth fields plus modest noise, with NaN over "land" in sst
// and exact zeros over a third of tp, so they compress about as real model
// output does: zstd -1 of the raw bytes gives a ratio near 1.47, and ~1.9 with
// a byte shuffle first. Every value is a pure function of (variable, global
// time step, lat, lon), so the netCDF-3 copy (--format nc3) holds exactly the
// same numbers.
//
// --template DIR makes a larger dataset cheaply: file i is a byte copy of the
// template's file (i mod n) with its time coordinate rewritten to continue the
// series, so 80 files have exactly the per-file size of the 20 templates.
//
// Usage: make_dataset -o DIR [--files 20] [--steps 30] [--lat 361] [--lon 720]
//                     [--format nc4|nc3] [--jobs N] [--template DIR] [--prefix bench_]
#include <netcdf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDaysPerStep = 0.25;  // 6-hourly output

struct Options {
  std::string out;
  int files = 20;
  int steps = 30;
  int nlat = 361;
  int nlon = 720;
  std::string format = "nc4";
  int jobs = 1;
  std::string template_dir;
  std::string prefix = "bench_";
  int deflate_level = 1;
  bool shuffle = true;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "make_dataset: %s\n", message.c_str());
  std::exit(1);
}

void Check(int status, const std::string& what) {
  if (status != NC_NOERR) Die(what + ": " + nc_strerror(status));
}

std::string FileName(const Options& o, int index) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%05d.nc", index);
  return (fs::path(o.out) / (o.prefix + buf)).string();
}

// splitmix64: seeds; xorshift64*: the noise stream.
uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Noise {
  uint64_t s;
  explicit Noise(uint64_t seed) : s(SplitMix(seed) | 1) {}
  // Roughly standard normal: Irwin-Hall sum of four 16-bit uniforms.
  float Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t r = s * 0x2545F4914F6CDD1Dull;
    uint32_t sum = static_cast<uint32_t>(r & 0xFFFF) + static_cast<uint32_t>((r >> 16) & 0xFFFF) +
                   static_cast<uint32_t>((r >> 32) & 0xFFFF) + static_cast<uint32_t>(r >> 48);
    return (static_cast<float>(sum) * (1.0f / 65535.0f) - 2.0f) * 1.7320508f;
  }
};

// The three fields on one grid; Fill() writes one time step of one variable.
class Fields {
 public:
  Fields(int nlat, int nlon) : ny_(nlat), nx_(nlon), lat_(nlat), lon_(nlon), land_(std::size_t(nlat) * nlon) {
    for (int j = 0; j < ny_; ++j) lat_[j] = ny_ == 1 ? 0.0 : -90.0 + 180.0 * j / (ny_ - 1);
    for (int i = 0; i < nx_; ++i) lon_[i] = 360.0 * i / nx_;
    for (int j = 0; j < ny_; ++j) {
      double la = lat_[j] * kPi / 180;
      for (int i = 0; i < nx_; ++i) {
        double lo = lon_[i] * kPi / 180;
        double m = std::sin(2 * lo + 0.5) * std::cos(3 * la) + 0.5 * std::sin(5 * lo) * std::sin(2 * la + 1) +
                   0.3 * std::fabs(std::sin(la));
        land_[std::size_t(j) * nx_ + i] = m > 0.7;
      }
    }
  }
  const std::vector<double>& lat() const { return lat_; }
  const std::vector<double>& lon() const { return lon_; }

  void Fill(int var, long step, float* out) const {
    const double t = step * kDaysPerStep;
    Noise noise(static_cast<uint64_t>(var) * 0x100000000ull + static_cast<uint64_t>(step));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<double> a(nx_), b(nx_), c(nx_);
    if (var == 0) {  // t2m: a zonal mean, a travelling wave, a diurnal cycle
      for (int i = 0; i < nx_; ++i) {
        double lo = lon_[i] * kPi / 180;
        a[i] = 8 * std::sin(2 * lo + 2 * kPi * t / 5.0);
        b[i] = 3 * std::sin(2 * kPi * t + lo);
      }
      for (int j = 0; j < ny_; ++j) {
        double cl = std::cos(lat_[j] * kPi / 180), base = 250 + 45 * cl * cl;
        float* row = out + std::size_t(j) * nx_;
        for (int i = 0; i < nx_; ++i) row[i] = static_cast<float>(base + cl * a[i] + b[i] + 0.3 * noise.Next());
      }
    } else if (var == 1) {  // sst: NaN over land
      for (int i = 0; i < nx_; ++i) a[i] = 1.5 * std::sin(3 * lon_[i] * kPi / 180 + 2 * kPi * t / 30.0);
      for (int j = 0; j < ny_; ++j) {
        double cl = std::cos(lat_[j] * kPi / 180), base = 271.5 + 30 * cl * cl;
        float* row = out + std::size_t(j) * nx_;
        const char* land = land_.data() + std::size_t(j) * nx_;
        for (int i = 0; i < nx_; ++i) {
          float v = static_cast<float>(base + cl * a[i] + 0.3 * noise.Next());
          row[i] = land[i] ? nan : v;
        }
      }
    } else {  // tp: precipitation, zero where the "weather" field is low
      // w = sin(3 lon - p1) cos(4 lat + p2) + 0.5 sin(7 lon + 5 lat - p3)
      const double p1 = 2 * kPi * t / 3, p2 = 2 * kPi * t / 7, p3 = 2 * kPi * t / 2;
      for (int i = 0; i < nx_; ++i) {
        double lo = lon_[i] * kPi / 180;
        a[i] = std::sin(3 * lo - p1);
        b[i] = 0.5 * std::sin(7 * lo - p3);
        c[i] = 0.5 * std::cos(7 * lo - p3);
      }
      for (int j = 0; j < ny_; ++j) {
        double la = lat_[j] * kPi / 180;
        double k = std::cos(4 * la + p2), c5 = std::cos(5 * la), s5 = std::sin(5 * la);
        float* row = out + std::size_t(j) * nx_;
        for (int i = 0; i < nx_; ++i) {
          double w = a[i] * k + b[i] * c5 + c[i] * s5 + 0.4;
          double v = w > 0 ? w * 2e-3 * (1 + 0.3 * noise.Next()) : 0.0;
          row[i] = static_cast<float>(v > 0 ? v : 0.0);
        }
      }
    }
  }

 private:
  int ny_, nx_;
  std::vector<double> lat_, lon_;
  std::vector<char> land_;
};

struct VarSpec {
  const char* name;
  const char* long_name;
  const char* standard_name;
  const char* units;
};
constexpr VarSpec kVars[] = {
    {"t2m", "2 metre temperature", "air_temperature", "K"},
    {"sst", "sea surface temperature", "sea_surface_temperature", "K"},
    {"tp", "total precipitation", "precipitation_amount", "m"},
};

void Text(int ncid, int var, const char* name, const std::string& value) {
  Check(nc_put_att_text(ncid, var, name, value.size(), value.c_str()), name);
}

void WriteFile(const Options& o, const Fields& fields, int index) {
  const std::string path = FileName(o, index);
  const bool nc4 = o.format == "nc4";
  int ncid;
  Check(nc_create(path.c_str(), NC_CLOBBER | (nc4 ? NC_NETCDF4 : NC_64BIT_OFFSET), &ncid), "create " + path);
  int nofill_old;
  Check(nc_set_fill(ncid, NC_NOFILL, &nofill_old), "set_fill");
  int time_d, lat_d, lon_d;
  Check(nc_def_dim(ncid, "time", NC_UNLIMITED, &time_d), "def_dim time");
  Check(nc_def_dim(ncid, "lat", o.nlat, &lat_d), "def_dim lat");
  Check(nc_def_dim(ncid, "lon", o.nlon, &lon_d), "def_dim lon");
  int time_v, lat_v, lon_v;
  Check(nc_def_var(ncid, "time", NC_DOUBLE, 1, &time_d, &time_v), "def_var time");
  Check(nc_def_var(ncid, "lat", NC_DOUBLE, 1, &lat_d, &lat_v), "def_var lat");
  Check(nc_def_var(ncid, "lon", NC_DOUBLE, 1, &lon_d, &lon_v), "def_var lon");
  Text(ncid, time_v, "standard_name", "time");
  Text(ncid, time_v, "long_name", "time");
  Text(ncid, time_v, "units", "days since 2000-01-01 00:00:00");
  Text(ncid, time_v, "calendar", "standard");
  Text(ncid, time_v, "axis", "T");
  Text(ncid, lat_v, "standard_name", "latitude");
  Text(ncid, lat_v, "long_name", "latitude");
  Text(ncid, lat_v, "units", "degrees_north");
  Text(ncid, lat_v, "axis", "Y");
  Text(ncid, lon_v, "standard_name", "longitude");
  Text(ncid, lon_v, "long_name", "longitude");
  Text(ncid, lon_v, "units", "degrees_east");
  Text(ncid, lon_v, "axis", "X");
  int dims[3] = {time_d, lat_d, lon_d};
  int vars[3];
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int v = 0; v < 3; ++v) {
    Check(nc_def_var(ncid, kVars[v].name, NC_FLOAT, 3, dims, &vars[v]), "def_var");
    if (nc4) {
      size_t chunks[3] = {1, size_t(o.nlat), size_t(o.nlon)};
      Check(nc_def_var_chunking(ncid, vars[v], NC_CHUNKED, chunks), "def_var_chunking");
      if (o.deflate_level > 0 || o.shuffle) {
        Check(nc_def_var_deflate(ncid, vars[v], o.shuffle ? 1 : 0, o.deflate_level > 0 ? 1 : 0, o.deflate_level),
              "def_var_deflate");
      }
    }
    Check(nc_put_att_float(ncid, vars[v], "_FillValue", NC_FLOAT, 1, &nan), "_FillValue");
    Text(ncid, vars[v], "long_name", kVars[v].long_name);
    Text(ncid, vars[v], "standard_name", kVars[v].standard_name);
    Text(ncid, vars[v], "units", kVars[v].units);
  }
  Text(ncid, NC_GLOBAL, "Conventions", "CF-1.8");
  Text(ncid, NC_GLOBAL, "title", "nc2zarr benchmark dataset (issue 7)");
  Text(ncid, NC_GLOBAL, "source", "bench/make_dataset: smooth fields plus noise; NaN over land in sst");
  Check(nc_enddef(ncid), "enddef");

  Check(nc_put_var_double(ncid, lat_v, fields.lat().data()), "put lat");
  Check(nc_put_var_double(ncid, lon_v, fields.lon().data()), "put lon");
  std::vector<double> times(o.steps);
  const long first = long(index) * o.steps;
  for (int s = 0; s < o.steps; ++s) times[s] = double(first + s) * kDaysPerStep;
  size_t t0 = 0, tn = size_t(o.steps);
  Check(nc_put_vara_double(ncid, time_v, &t0, &tn, times.data()), "put time");
  std::vector<float> slab(size_t(o.nlat) * o.nlon);
  for (int s = 0; s < o.steps; ++s) {
    for (int v = 0; v < 3; ++v) {
      fields.Fill(v, first + s, slab.data());
      size_t start[3] = {size_t(s), 0, 0}, count[3] = {1, size_t(o.nlat), size_t(o.nlon)};
      Check(nc_put_vara_float(ncid, vars[v], start, count, slab.data()), "put " + std::string(kVars[v].name));
    }
  }
  Check(nc_close(ncid), "close " + path);
}

// File i = template file (i mod n) with the time coordinate moved on.
void CopyFile(const Options& o, const std::vector<std::string>& templates, int index) {
  const std::string path = FileName(o, index);
  const std::string& from = templates[size_t(index) % templates.size()];
  std::error_code ec;
  fs::copy_file(from, path, fs::copy_options::overwrite_existing, ec);
  if (ec) Die("copy " + from + " -> " + path + ": " + ec.message());
  int ncid, time_d, time_v;
  Check(nc_open(path.c_str(), NC_WRITE, &ncid), "open " + path);
  Check(nc_inq_dimid(ncid, "time", &time_d), "time dimension");
  size_t n;
  Check(nc_inq_dimlen(ncid, time_d, &n), "time length");
  Check(nc_inq_varid(ncid, "time", &time_v), "time variable");
  std::vector<double> times(n);
  for (size_t s = 0; s < n; ++s) times[s] = double(long(index) * long(n) + long(s)) * kDaysPerStep;
  size_t t0 = 0;
  Check(nc_put_vara_double(ncid, time_v, &t0, &n, times.data()), "put time");
  Check(nc_close(ncid), "close " + path);
}

int ParseInt(const char* s, const char* what) {
  char* end;
  long v = std::strtol(s, &end, 10);
  if (*end || v < 0 || v > 100000000) Die(std::string("bad ") + what + ": " + s);
  return int(v);
}

void Usage() {
  std::puts(
      "usage: make_dataset -o DIR [--files 20] [--steps 30] [--lat 361] [--lon 720]\n"
      "                    [--format nc4|nc3] [--jobs N] [--template DIR] [--prefix bench_]\n"
      "                    [--deflate LEVEL] [--no-shuffle]");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "-o" || a == "--out") o.out = next();
    else if (a == "--files") o.files = ParseInt(next(), "--files");
    else if (a == "--steps") o.steps = ParseInt(next(), "--steps");
    else if (a == "--lat") o.nlat = ParseInt(next(), "--lat");
    else if (a == "--lon") o.nlon = ParseInt(next(), "--lon");
    else if (a == "--format") o.format = next();
    else if (a == "--jobs") o.jobs = std::max(1, ParseInt(next(), "--jobs"));
    else if (a == "--template") o.template_dir = next();
    else if (a == "--prefix") o.prefix = next();
    else if (a == "--deflate") o.deflate_level = ParseInt(next(), "--deflate");
    else if (a == "--no-shuffle") o.shuffle = false;
    else if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    } else Die("unknown argument " + a);
  }
  if (o.out.empty()) {
    Usage();
    return 2;
  }
  if (o.format != "nc4" && o.format != "nc3") Die("--format must be nc4 or nc3");
  if (o.files < 1 || o.steps < 1 || o.nlat < 1 || o.nlon < 1) Die("sizes must be positive");
  fs::create_directories(o.out);

  std::vector<std::string> templates;
  if (!o.template_dir.empty()) {
    for (const auto& e : fs::directory_iterator(o.template_dir))
      if (e.path().extension() == ".nc") templates.push_back(e.path().string());
    std::sort(templates.begin(), templates.end());
    if (templates.empty()) Die("no .nc files in " + o.template_dir);
  }

  auto start = std::chrono::steady_clock::now();
  // Children write every jobs-th file: netCDF-C is not thread-safe, processes are.
  std::vector<pid_t> children;
  for (int job = 0; job < o.jobs; ++job) {
    pid_t pid = o.jobs == 1 ? 0 : fork();
    if (pid < 0) Die("fork failed");
    if (pid == 0) {
      Fields fields(o.nlat, o.nlon);
      for (int f = job; f < o.files; f += o.jobs) {
        if (templates.empty()) WriteFile(o, fields, f);
        else CopyFile(o, templates, f);
      }
      if (o.jobs == 1) break;
      std::fflush(nullptr);
      _exit(0);
    }
    children.push_back(pid);
  }
  bool ok = true;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!ok) Die("a writer process failed");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  unsigned long long disk = 0;
  for (int f = 0; f < o.files; ++f) disk += fs::file_size(FileName(o, f));
  unsigned long long raw = 3ull * 4ull * (unsigned long long)o.files * o.steps * o.nlat * o.nlon;
  std::printf("{\"files\": %d, \"steps_per_file\": %d, \"format\": \"%s\", \"raw_bytes\": %llu, "
              "\"disk_bytes\": %llu, \"seconds\": %.3f}\n",
              o.files, o.steps, o.format.c_str(), raw, disk, seconds);
  return 0;
}
