// A few input files kept open between chunks, which usually read the same
// files. Each is opened for reading (NetcdfFile::OpenWhenRead): a chunk
// spanning more files than the cache holds reopens them for every variable,
// ~0.1 ms each through HDF5; holding them all would cost ~1 MB each.
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
