// A faster path for netCDF-4 inputs: read a variable's compressed HDF5
// chunks directly (H5Dread_chunk), inflate them with libdeflate and undo
// the shuffle ourselves, instead of netCDF-C -> HDF5 -> zlib, for chunked,
// deflated (with or without shuffle) little-endian numbers and characters
// (NC_CHAR). Other layouts of them (contiguous, uncompressed, unwritten chunks, other
// filters) are read with H5Dread on the same open file, as netCDF-C would
// read them, without opening the file through netCDF-C (which reads every
// variable's metadata). Anything else, or a read beyond a variable's own
// extent, says "not handled" and the caller reads through netCDF-C.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/read/direct_reader.h"

namespace nc2zarr {

class Hdf5ChunkReader : public DirectReader {
 public:
  // nullptr when the file is not HDF5 (classic formats) or cannot be opened.
  static std::unique_ptr<Hdf5ChunkReader> Open(const std::string& path);
  ~Hdf5ChunkReader() override;
  Hdf5ChunkReader(const Hdf5ChunkReader&) = delete;
  Hdf5ChunkReader& operator=(const Hdf5ChunkReader&) = delete;

  Result<bool> ReadSlab(const std::string& variable_path, std::span<const std::size_t> start,
                        std::span<const std::size_t> count, std::size_t element_size, void* out) override;

  struct Dataset;  // an open HDF5 dataset and its layout

 private:
  explicit Hdf5ChunkReader(long long file, std::string path);
  Dataset* Find(const std::string& variable_path, std::size_t element_size);
  // H5Dread of the slab; the caller holds LockNetcdfLibraries().
  bool ReadThroughHdf5(const Dataset& d, std::span<const std::size_t> start, std::span<const std::size_t> count,
                       void* out) const;

  long long file_;  // hid_t
  std::string path_;
  std::map<std::string, std::unique_ptr<Dataset>> datasets_;
  std::vector<std::byte> compressed_, inflated_, unshuffled_;
  void* inflater_ = nullptr;  // libdeflate_decompressor
};

}  // namespace nc2zarr
