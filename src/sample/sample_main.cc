// nc2zarr-sample: writes realistic CF sample files split in time.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "nc2zarr/sample/sample_data.h"

int main(int argc, char** argv) {
  nc2zarr::SampleSpec spec;
  std::string format = "netcdf4";
  CLI::App app{"nc2zarr-sample: write CF NetCDF sample files split in time (tas, pr, orog on a lat/lon grid)"};
  app.add_option("-o,--output-dir", spec.directory, "directory for the files")->capture_default_str();
  app.add_option("--prefix", spec.prefix, "file name prefix")->capture_default_str();
  app.add_option("--files", spec.files, "number of files")->capture_default_str();
  app.add_option("--steps", spec.steps_per_file, "daily time steps per file")->capture_default_str();
  app.add_option("--lat", spec.lat, "latitudes")->capture_default_str();
  app.add_option("--lon", spec.lon, "longitudes")->capture_default_str();
  app.add_option("--format", format, "netcdf4 or classic")->check(CLI::IsMember({"netcdf4", "classic"}))->capture_default_str();
  app.add_option("--deflate", spec.deflate_level, "deflate level for netcdf4 (0 = none)")->capture_default_str();
  app.add_option("--seed", spec.seed, "random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spec.netcdf4 = format == "netcdf4";
  auto paths = nc2zarr::WriteSampleData(spec);
  if (!paths.ok()) {
    std::fprintf(stderr, "nc2zarr-sample: error: %s\n", paths.status().message().c_str());
    return 1;
  }
  std::printf("wrote %zu files to %s\n", paths->size(), spec.directory.c_str());
  return 0;
}
