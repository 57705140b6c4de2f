// The one place outside read/ that includes netcdf.h: it writes files.
#include "nc2zarr/sample/sample_data.h"

#include <netcdf.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "nc2zarr/read/netcdf_lock.h"

namespace nc2zarr {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Writer {
  int ncid = -1;
  std::string path;
  int status = NC_NOERR;

  // Records the first failure; later calls become no-ops.
  void Check(int st) {
    if (status == NC_NOERR && st != NC_NOERR) status = st;
  }
  void Text(int var, const char* name, const std::string& value) {
    Check(nc_put_att_text(ncid, var, name, value.size(), value.c_str()));
  }
  void Double(int var, const char* name, double value) { Check(nc_put_att_double(ncid, var, name, NC_DOUBLE, 1, &value)); }
  void Float(int var, const char* name, float value) { Check(nc_put_att_float(ncid, var, name, NC_FLOAT, 1, &value)); }
};

std::string DateText(int days_since_2000) {
  // Proleptic Gregorian date of a day count, for file names.
  int y = 2000, d = days_since_2000;
  auto leap = [](int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; };
  while (d >= (leap(y) ? 366 : 365)) d -= leap(y++) ? 366 : 365;
  static const int kMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int m = 0;
  while (true) {
    int len = kMonth[m] + (m == 1 && leap(y) ? 1 : 0);
    if (d < len) break;
    d -= len;
    ++m;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m + 1, d + 1);
  return buf;
}

Status WriteFile(const SampleSpec& spec, int index, const std::string& path) {
  Writer w;
  w.path = path;
  int mode = spec.netcdf4 ? NC_NETCDF4 : NC_CLASSIC_MODEL;
  if (int st = nc_create(path.c_str(), NC_CLOBBER | mode, &w.ncid); st != NC_NOERR) {
    return IoError("cannot create " + path + ": " + nc_strerror(st));
  }
  const std::size_t nt = static_cast<std::size_t>(spec.steps_per_file), ny = static_cast<std::size_t>(spec.lat),
                    nx = static_cast<std::size_t>(spec.lon);
  int time_d, lat_d, lon_d, bnds_d;
  w.Check(nc_def_dim(w.ncid, "time", NC_UNLIMITED, &time_d));
  w.Check(nc_def_dim(w.ncid, "lat", ny, &lat_d));
  w.Check(nc_def_dim(w.ncid, "lon", nx, &lon_d));
  w.Check(nc_def_dim(w.ncid, "bnds", 2, &bnds_d));

  auto def = [&](const char* name, nc_type type, std::vector<int> dims) {
    int id = -1;
    w.Check(nc_def_var(w.ncid, name, type, static_cast<int>(dims.size()), dims.data(), &id));
    return id;
  };
  int time_v = def("time", NC_DOUBLE, {time_d});
  w.Text(time_v, "standard_name", "time");
  w.Text(time_v, "long_name", "time");
  w.Text(time_v, "units", "days since 2000-01-01 00:00:00");
  w.Text(time_v, "calendar", "standard");
  w.Text(time_v, "axis", "T");
  w.Text(time_v, "bounds", "time_bnds");
  int time_bnds_v = def("time_bnds", NC_DOUBLE, {time_d, bnds_d});
  int lat_v = def("lat", NC_DOUBLE, {lat_d});
  w.Text(lat_v, "standard_name", "latitude");
  w.Text(lat_v, "units", "degrees_north");
  w.Text(lat_v, "axis", "Y");
  w.Text(lat_v, "bounds", "lat_bnds");
  int lat_bnds_v = def("lat_bnds", NC_DOUBLE, {lat_d, bnds_d});
  int lon_v = def("lon", NC_DOUBLE, {lon_d});
  w.Text(lon_v, "standard_name", "longitude");
  w.Text(lon_v, "units", "degrees_east");
  w.Text(lon_v, "axis", "X");
  w.Text(lon_v, "bounds", "lon_bnds");
  int lon_bnds_v = def("lon_bnds", NC_DOUBLE, {lon_d, bnds_d});
  int height_v = def("height", NC_DOUBLE, {});
  w.Text(height_v, "standard_name", "height");
  w.Text(height_v, "units", "m");
  w.Text(height_v, "positive", "up");
  w.Text(height_v, "axis", "Z");

  int tas_v = def("tas", NC_FLOAT, {time_d, lat_d, lon_d});
  w.Text(tas_v, "standard_name", "air_temperature");
  w.Text(tas_v, "long_name", "Near-Surface Air Temperature");
  w.Text(tas_v, "units", "K");
  w.Text(tas_v, "cell_methods", "area: time: mean");
  w.Text(tas_v, "coordinates", "height");
  w.Float(tas_v, "_FillValue", 1e20f);
  w.Float(tas_v, "missing_value", 1e20f);
  int pr_v = def("pr", NC_SHORT, {time_d, lat_d, lon_d});
  w.Text(pr_v, "standard_name", "precipitation_flux");
  w.Text(pr_v, "long_name", "Precipitation");
  w.Text(pr_v, "units", "kg m-2 s-1");
  w.Double(pr_v, "scale_factor", 1e-6);
  w.Double(pr_v, "add_offset", 0.0);
  short pr_fill = -32767;
  w.Check(nc_put_att_short(w.ncid, pr_v, "_FillValue", NC_SHORT, 1, &pr_fill));
  int orog_v = def("orog", NC_FLOAT, {lat_d, lon_d});
  w.Text(orog_v, "standard_name", "surface_altitude");
  w.Text(orog_v, "units", "m");

  if (spec.netcdf4) {
    std::size_t field_chunks[] = {1, ny, nx};
    for (int v : {tas_v, pr_v}) {
      w.Check(nc_def_var_chunking(w.ncid, v, NC_CHUNKED, field_chunks));
      if (spec.deflate_level > 0) w.Check(nc_def_var_deflate(w.ncid, v, 1, 1, spec.deflate_level));
    }
  }
  w.Text(NC_GLOBAL, "Conventions", "CF-1.8");
  w.Text(NC_GLOBAL, "title", "nc2zarr sample: daily near-surface temperature and precipitation");
  w.Text(NC_GLOBAL, "institution", "nc2zarr");
  w.Text(NC_GLOBAL, "source", "nc2zarr-sample, a synthetic model-like run");
  w.Text(NC_GLOBAL, "frequency", "day");
  w.Text(NC_GLOBAL, "history", "part " + std::to_string(index + 1) + " of " + std::to_string(spec.files) +
                                   " written by nc2zarr-sample");
  w.Check(nc_enddef(w.ncid));

  const std::size_t t0 = static_cast<std::size_t>(index) * nt;
  std::vector<double> time(nt), time_bnds(2 * nt), lat(ny), lat_bnds(2 * ny), lon(nx), lon_bnds(2 * nx);
  for (std::size_t i = 0; i < nt; ++i) {
    time[i] = static_cast<double>(t0 + i) + 0.5;
    time_bnds[2 * i] = static_cast<double>(t0 + i);
    time_bnds[2 * i + 1] = static_cast<double>(t0 + i + 1);
  }
  const double dy = 180.0 / static_cast<double>(ny), dx = 360.0 / static_cast<double>(nx);
  for (std::size_t j = 0; j < ny; ++j) {
    lat[j] = -90.0 + dy * (static_cast<double>(j) + 0.5);
    lat_bnds[2 * j] = lat[j] - dy / 2;
    lat_bnds[2 * j + 1] = lat[j] + dy / 2;
  }
  for (std::size_t i = 0; i < nx; ++i) {
    lon[i] = dx * (static_cast<double>(i) + 0.5);
    lon_bnds[2 * i] = lon[i] - dx / 2;
    lon_bnds[2 * i + 1] = lon[i] + dx / 2;
  }
  double height = 2.0;
  std::size_t start0[] = {0, 0}, count_t[] = {nt, 2}, count_y[] = {ny, 2}, count_x[] = {nx, 2};
  w.Check(nc_put_vara_double(w.ncid, time_v, start0, &nt, time.data()));
  w.Check(nc_put_vara_double(w.ncid, time_bnds_v, start0, count_t, time_bnds.data()));
  w.Check(nc_put_var_double(w.ncid, lat_v, lat.data()));
  w.Check(nc_put_vara_double(w.ncid, lat_bnds_v, start0, count_y, lat_bnds.data()));
  w.Check(nc_put_var_double(w.ncid, lon_v, lon.data()));
  w.Check(nc_put_vara_double(w.ncid, lon_bnds_v, start0, count_x, lon_bnds.data()));
  w.Check(nc_put_var_double(w.ncid, height_v, &height));

  std::vector<float> orog(ny * nx);
  for (std::size_t j = 0; j < ny; ++j) {
    for (std::size_t i = 0; i < nx; ++i) {
      double h = 3000.0 * std::exp(-std::pow((lat[j] - 30) / 15, 2) - std::pow((lon[i] - 90) / 20, 2));
      orog[j * nx + i] = static_cast<float>(h);
    }
  }
  w.Check(nc_put_var_float(w.ncid, orog_v, orog.data()));

  std::mt19937 rng(spec.seed * 7919u + static_cast<unsigned>(index));
  std::normal_distribution<float> noise(0.0f, 1.5f);
  std::exponential_distribution<double> rain(2e5);
  std::vector<float> tas(ny * nx);
  std::vector<short> pr(ny * nx);
  for (std::size_t t = 0; t < nt; ++t) {
    const double day = time[t];
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t k = j * nx + i;
        double seasonal = 12.0 * std::sin(2 * kPi * day / 365.25) * std::sin(lat[j] * kPi / 180);
        tas[k] = static_cast<float>(273.15 + 30.0 * std::cos(lat[j] * kPi / 180) + seasonal - 0.0065 * orog[k]) +
                 noise(rng);
        double p = rain(rng);
        pr[k] = static_cast<short>(std::min(32000.0, std::round(p / 1e-6)));
        // A missing-data patch that drifts with time, so masking matters.
        std::size_t band = (t0 + t) % nx;
        if (j < ny / 10 && i >= band && i < band + nx / 20) {
          tas[k] = 1e20f;
          pr[k] = pr_fill;
        }
      }
    }
    std::size_t start[] = {t, 0, 0}, count[] = {1, ny, nx};
    w.Check(nc_put_vara_float(w.ncid, tas_v, start, count, tas.data()));
    w.Check(nc_put_vara_short(w.ncid, pr_v, start, count, pr.data()));
  }
  int st = w.status;
  int closed = nc_close(w.ncid);
  if (st == NC_NOERR) st = closed;
  if (st != NC_NOERR) return IoError("cannot write " + path + ": " + nc_strerror(st));
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> WriteSampleData(const SampleSpec& spec) {
  if (spec.files < 1 || spec.steps_per_file < 1 || spec.lat < 1 || spec.lon < 1) {
    return UsageError("sample sizes must be positive");
  }
  std::error_code ec;
  std::filesystem::create_directories(spec.directory, ec);
  if (ec) return IoError("cannot create " + spec.directory + ": " + ec.message());
  std::vector<std::string> paths;
  for (int k = 0; k < spec.files; ++k) {
    int first = k * spec.steps_per_file, last = first + spec.steps_per_file - 1;
    std::string path = spec.directory + "/" + spec.prefix + "_" + DateText(first) + "-" + DateText(last) + ".nc";
    auto lock = LockNetcdfLibraries();
    RETURN_IF_ERROR(WriteFile(spec, k, path));
    paths.push_back(path);
  }
  return paths;
}

}  // namespace nc2zarr
