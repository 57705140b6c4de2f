// Faster ways than netCDF-C to read some variables of one input file:
// Hdf5ChunkReader for compressed netCDF-4 data, ClassicReader for classic
// formats. Each handles the layouts it understands and declines the rest,
// which NetcdfFile then reads through netCDF-C, so the bytes are the same.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

class DirectReader {
 public:
  virtual ~DirectReader() = default;

  // Reads count elements from start (as nc_get_vara would) into out. Returns
  // false, having written nothing useful, when this variable or region
  // cannot be read this way; an error naming the file for damaged data.
  virtual Result<bool> ReadSlab(const std::string& variable_path, std::span<const std::size_t> start,
                                std::span<const std::size_t> count, std::size_t element_size, void* out) = 0;
};

// Which kinds of input read directly, for files opened from now on. Both on
// by default; off to compare, or (HDF5) when a chunk cache is wanted.
struct DirectReads {
  bool classic = true;
  bool hdf5_chunks = true;
};
void SetDirectReads(DirectReads enabled);

// The direct reader for the file, chosen by its own signature (a classic
// header, else HDF5), or nullptr when there is none or it is switched off.
std::unique_ptr<DirectReader> OpenDirectReader(const std::string& path);

}  // namespace nc2zarr
