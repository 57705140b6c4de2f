#include "nc2zarr/read/direct_reader.h"

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

std::unique_ptr<DirectReader> OpenDirectReader(const std::string& path) {
  if (g_classic) {
    if (auto classic = ClassicReader::Open(path)) return classic;
  }
  if (g_hdf5_chunks) return Hdf5ChunkReader::Open(path);  // declines files that are not HDF5
  return nullptr;
}

}  // namespace nc2zarr
