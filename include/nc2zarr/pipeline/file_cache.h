// A few input files kept open between chunks: opening a NetCDF-4 file costs
// milliseconds, and consecutive chunks usually read the same files.
#pragma once

#include <cstddef>
#include <list>
#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/read/netcdf_file.h"

namespace nc2zarr {

class FileCache {
 public:
  explicit FileCache(std::size_t capacity = 8) : capacity_(capacity) {}
  // The open file; valid until the next call.
  Result<const NetcdfFile*> Get(const std::string& path);

 private:
  std::size_t capacity_;
  std::list<NetcdfFile> files_;  // most recently used first
};

}  // namespace nc2zarr
