// netCDF-C is not thread-safe, and the HDF5 state under it is shared with
// nc2zarr's direct HDF5 reads: a rank's chunk threads (base/worker_pool,
// driven by pipeline/converter) share both, so every call into either
// library holds this lock. Work around the calls (pread of classic data,
// inflating, compressing) runs outside it, in parallel.
#pragma once

#include <mutex>

namespace nc2zarr {

// Held for the duration of one or more netCDF-C or HDF5 calls; never
// nested (the mutex is not recursive).
[[nodiscard]] std::unique_lock<std::mutex> LockNetcdfLibraries();

}  // namespace nc2zarr
