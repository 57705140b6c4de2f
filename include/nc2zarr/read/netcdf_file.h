// One open NetCDF file (any format netCDF-C reads): its schema and
// hyperslab reads in the variable's own on-disk type. One object is used by
// one thread at a time; different objects (even of the same file) may be
// used by different threads, as calls into netCDF-C hold its lock.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/model/data_type.h"
#include "nc2zarr/model/schema.h"
#include "nc2zarr/read/direct_reader.h"

namespace nc2zarr {

// The HDF5 chunk cache each variable of a file opened from now on gets.
// netCDF-C's default (16 MiB per variable) multiplies with open files and
// variables into hundreds of MiB; nc2zarr reads whole HDF5 chunks once, so
// a small cache costs no speed when Zarr chunks align with HDF5 chunks.
void SetChunkCachePerVariable(std::size_t bytes);

class NetcdfFile {
 public:
  // Opens the file through netCDF-C now (to read its schema).
  static Result<NetcdfFile> Open(const std::string& path);
  // For reading chunks: netCDF-C opens the file only when a read needs it
  // (text, strings, layouts the direct readers decline). Opening a netCDF-4
  // file of 60 variables takes netCDF-C ~2 ms and ~3 MB, HDF5 alone ~0.1 ms:
  // a chunk that spans many files reads each one once per variable.
  // Errors opening the file come with the first read.
  static NetcdfFile OpenWhenRead(const std::string& path);

  NetcdfFile(NetcdfFile&& other) noexcept;
  NetcdfFile& operator=(NetcdfFile&& other) noexcept;
  NetcdfFile(const NetcdfFile&) = delete;
  NetcdfFile& operator=(const NetcdfFile&) = delete;
  ~NetcdfFile();

  const std::string& path() const { return path_; }

  Result<FileSchema> ReadSchema() const;

  // Reads count elements starting at start of a numeric or char variable
  // stored as type into out, which must hold the product of count times the
  // element size. A file whose variable has another type is an error.
  Status ReadSlab(const std::string& variable_path, DataType type, std::span<const std::size_t> start,
                  std::span<const std::size_t> count, void* out) const;

  // A whole numeric variable converted to double (for coordinates).
  Result<std::vector<double>> ReadDoubles(const std::string& variable_path, std::size_t count) const;

  // The same for NC_STRING variables; appends to out in C order.
  Status ReadStrings(const std::string& variable_path, std::span<const std::size_t> start,
                     std::span<const std::size_t> count, std::vector<std::string>& out) const;

 private:
  struct VariableId {
    int group_id;
    int var_id;
    int nc_type;
  };

  NetcdfFile(int ncid, std::string path);
  // netCDF-C's handle, opening the file when it is not open yet.
  Status EnsureOpen() const;
  void Close();
  // The caller holds LockNetcdfLibraries().
  Result<VariableId> Lookup(const std::string& variable_path) const;
  Status Error(int nc_status, const std::string& what) const;

  mutable int ncid_ = -1;
  std::string path_;
  mutable std::unordered_map<std::string, VariableId> ids_;
  // The fast path (DirectReader), opened when first needed.
  mutable bool direct_tried_ = false;
  mutable std::unique_ptr<DirectReader> direct_;
};

}  // namespace nc2zarr
