// What both floor programs of issue 7 read: every data variable (2 or more
// dimensions) of every file, through netCDF-C, in hyperslabs of the Zarr chunk
// shape (steps_per_chunk along the first dimension, the whole extent of the
// others), into one reused buffer. Any netCDF-C error ends the program with a
// message naming the program and the call.
#pragma once

#include <netcdf.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench {

[[noreturn]] inline void Die(const char* program, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", program, message.c_str());
  std::exit(1);
}

inline void CheckNetcdf(const char* program, int status, const std::string& what) {
  if (status != NC_NOERR) Die(program, what + ": " + nc_strerror(status));
}

// Calls on_slab(data, bytes, element_size) for each hyperslab, in file order,
// then variable order, then along the first dimension. Coordinates (fewer than
// 2 dimensions) are skipped: negligible, and not what the floors are about.
template <typename OnSlab>
void ForEachChunkSlab(const char* program, const std::vector<std::string>& files, std::size_t steps_per_chunk,
                      std::vector<char>& buffer, OnSlab on_slab) {
  auto check = [program](int status, const std::string& what) { CheckNetcdf(program, status, what); };
  for (const auto& path : files) {
    int ncid, nvars;
    check(nc_open(path.c_str(), NC_NOWRITE, &ncid), "open " + path);
    check(nc_inq_nvars(ncid, &nvars), "inq_nvars " + path);
    for (int v = 0; v < nvars; ++v) {
      int ndims, dimids[NC_MAX_VAR_DIMS];
      nc_type type;
      check(nc_inq_var(ncid, v, nullptr, &type, &ndims, dimids, nullptr), "inq_var " + path);
      if (ndims < 2) continue;
      std::size_t type_size;
      check(nc_inq_type(ncid, type, nullptr, &type_size), "inq_type " + path);
      std::vector<std::size_t> shape(ndims), start(ndims, 0);
      for (int d = 0; d < ndims; ++d) check(nc_inq_dimlen(ncid, dimids[d], &shape[d]), "inq_dimlen " + path);
      std::size_t slab_bytes_per_step = type_size;
      for (int d = 1; d < ndims; ++d) slab_bytes_per_step *= shape[d];
      std::vector<std::size_t> count = shape;
      for (std::size_t t = 0; t < shape[0]; t += steps_per_chunk) {
        start[0] = t;
        count[0] = std::min(steps_per_chunk, shape[0] - t);
        std::size_t n = slab_bytes_per_step * count[0];
        if (buffer.size() < n) buffer.resize(n);
        check(nc_get_vara(ncid, v, start.data(), count.data(), buffer.data()), "get_vara " + path);
        on_slab(buffer.data(), n, type_size);
      }
    }
    check(nc_close(ncid), "close " + path);
  }
}

}  // namespace bench
