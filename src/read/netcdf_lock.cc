#include "nc2zarr/read/netcdf_lock.h"

#include <hdf5.h>

namespace nc2zarr {

std::unique_lock<std::mutex> LockNetcdfLibraries() {
  static std::mutex libraries;
  std::unique_lock lock(libraries);
  // HDF5 built thread-safe (as Debian's is) keeps per thread whether it
  // prints its error stack; netCDF-C turns printing off only on the thread
  // that first opens a file, and expects failed lookups (it probes for
  // attributes that are usually absent), so every thread turns it off.
  thread_local bool hdf5_quiet = false;
  if (!hdf5_quiet) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hdf5_quiet = true;
  }
  return lock;
}

}  // namespace nc2zarr
