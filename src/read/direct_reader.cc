#include "nc2zarr/read/direct_reader.h"

#include <netcdf.h>

#include <atomic>

#include "nc2zarr/read/classic_reader.h"
#include "nc2zarr/read/hdf5_chunk_reader.h"

namespace nc2zarr {
namespace {

std::atomic<bool> g_classic{true};
std::atomic<bool> g_hdf5_chunks{true};

}  // namespace

void SetDirectReads(DirectReads enabled) {
  g_classic = enabled.classic;
  g_hdf5_chunks = enabled.hdf5_chunks;
}

std::unique_ptr<DirectReader> OpenDirectReader(const std::string& path, int netcdf_format) {
  switch (netcdf_format) {
    case NC_FORMAT_CLASSIC:
    case NC_FORMAT_64BIT_OFFSET:
    case NC_FORMAT_CDF5:
      if (g_classic) return ClassicReader::Open(path);
      return nullptr;
    case NC_FORMAT_NETCDF4:
    case NC_FORMAT_NETCDF4_CLASSIC:
      if (g_hdf5_chunks) return Hdf5ChunkReader::Open(path);
      return nullptr;
    default:
      return nullptr;
  }
}

}  // namespace nc2zarr
