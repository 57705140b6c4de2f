// bench_floor_read: the read floor of issue 7. On one core, netCDF-C reads and
// inflates every data variable of every file, in hyperslabs of the Zarr chunk
// shape (--steps-per-chunk along the first dimension, whole extent of the
// others), into one reused buffer. Nothing else happens to the bytes.
//
// Usage: bench_floor_read [--steps-per-chunk 30] [--chunk-cache-mb MB] FILE...
// Prints one JSON line: seconds, bytes (uncompressed), mb_per_s, files, reads.
#include <netcdf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_floor_read: %s\n", message.c_str());
  std::exit(1);
}

void Check(int status, const std::string& what) {
  if (status != NC_NOERR) Die(what + ": " + nc_strerror(status));
}

}  // namespace

int main(int argc, char** argv) {
  size_t steps_per_chunk = 30;
  double cache_mb = -1;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps-per-chunk" && i + 1 < argc) steps_per_chunk = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--chunk-cache-mb" && i + 1 < argc) cache_mb = std::atof(argv[++i]);
    else if (a == "-h" || a == "--help") {
      std::puts("usage: bench_floor_read [--steps-per-chunk 30] [--chunk-cache-mb MB] FILE...");
      return 0;
    } else files.push_back(a);
  }
  if (files.empty() || steps_per_chunk == 0) Die("no input files (or --steps-per-chunk 0)");
  if (cache_mb >= 0) {
    Check(nc_set_chunk_cache(size_t(cache_mb * 1048576.0), 1009, 0.75f), "set_chunk_cache");
  }

  std::vector<char> buffer;
  unsigned long long bytes = 0, reads = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& path : files) {
    int ncid, nvars;
    Check(nc_open(path.c_str(), NC_NOWRITE, &ncid), "open " + path);
    Check(nc_inq_nvars(ncid, &nvars), "inq_nvars");
    for (int v = 0; v < nvars; ++v) {
      int ndims, dimids[NC_MAX_VAR_DIMS];
      nc_type type;
      Check(nc_inq_var(ncid, v, nullptr, &type, &ndims, dimids, nullptr), "inq_var");
      if (ndims < 2) continue;  // coordinates: negligible, and not what the floor is about
      size_t type_size;
      Check(nc_inq_type(ncid, type, nullptr, &type_size), "inq_type");
      std::vector<size_t> shape(ndims), start_idx(ndims, 0), count(ndims);
      for (int d = 0; d < ndims; ++d) Check(nc_inq_dimlen(ncid, dimids[d], &shape[d]), "inq_dimlen");
      size_t slab = type_size;
      for (int d = 1; d < ndims; ++d) slab *= shape[d];
      count = shape;
      for (size_t t = 0; t < shape[0]; t += steps_per_chunk) {
        start_idx[0] = t;
        count[0] = std::min(steps_per_chunk, shape[0] - t);
        size_t n = slab * count[0];
        if (buffer.size() < n) buffer.resize(n);
        Check(nc_get_vara(ncid, v, start_idx.data(), count.data(), buffer.data()), "get_vara " + path);
        bytes += n;
        ++reads;
      }
    }
    Check(nc_close(ncid), "close " + path);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"seconds\": %.4f, \"bytes\": %llu, \"mb_per_s\": %.1f, \"files\": %zu, \"reads\": %llu}\n", seconds,
              bytes, seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0, files.size(), reads);
  return 0;
}
