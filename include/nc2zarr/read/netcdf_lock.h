// netCDF-C and HDF5, as Debian builds them, are not thread-safe: a rank's
// chunk workers (pipeline/chunk_workers) share them, so every call into
// either library holds this lock. Work around the calls (pread of classic
// data, inflating, compressing) runs outside it, in parallel.
#pragma once

#include <mutex>

namespace nc2zarr {

// Held for the duration of one or more netCDF-C or HDF5 calls; never
// nested (the mutex is not recursive).
[[nodiscard]] std::unique_lock<std::mutex> LockNetcdfLibraries();

}  // namespace nc2zarr
