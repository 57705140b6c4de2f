// How many threads of a rank read and compress chunks. By default a rank
// uses the cores it may run on: its CPU affinity (what mpirun or srun bound
// it to; all of the machine when started without them), shared with the
// other ranks of its node when they were not bound apart. At most
// kMaxDefaultChunkThreads: each thread holds a chunk or two in memory, and
// calls into netCDF-C/HDF5 take turns, so more ranks scale further.
#pragma once

#include <cstddef>

namespace nc2zarr {

inline constexpr std::size_t kMaxDefaultChunkThreads = 8;

// The default from the figures: CPUs in this rank's affinity mask, CPUs
// online, ranks on this node.
std::size_t DefaultChunkThreads(std::size_t affinity_cpus, std::size_t online_cpus, std::size_t ranks_on_node);

// The same from this process's affinity and the machine.
std::size_t DefaultChunkThreads(std::size_t ranks_on_node);

}  // namespace nc2zarr
