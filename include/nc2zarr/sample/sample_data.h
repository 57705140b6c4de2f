// Realistic CF sample data split in time, as a model run leaves it: for the
// demo, the tests and the benchmark.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct SampleSpec {
  std::string directory = "sample_data";
  std::string prefix = "tas_pr_day_sample";
  int files = 6;
  int steps_per_file = 30;  // days
  int lat = 90;
  int lon = 180;
  bool netcdf4 = true;     // else the classic (CDF-1) format
  int deflate_level = 1;   // netCDF-4 only; 0 for none
  unsigned seed = 1;
};

// Writes the files and returns their paths, in time order.
Result<std::vector<std::string>> WriteSampleData(const SampleSpec& spec);

}  // namespace nc2zarr
