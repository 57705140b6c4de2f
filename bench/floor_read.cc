// bench_floor_read: the read floor of issue 7. On one core, netCDF-C reads and
// inflates every data variable of every file, in hyperslabs of the Zarr chunk
// shape (--steps-per-chunk along the first dimension, whole extent of the
// others), into one reused buffer. Nothing else happens to the bytes.
//
// Usage: bench_floor_read [--steps-per-chunk 30] [--chunk-cache-mb MB] FILE...
// Prints one JSON line: seconds, bytes (uncompressed), mb_per_s, files, reads.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "chunk_slabs.h"

namespace {

constexpr const char* kProgram = "bench_floor_read";

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
  if (files.empty() || steps_per_chunk == 0) bench::Die(kProgram, "no input files (or --steps-per-chunk 0)");
  if (cache_mb >= 0) {
    bench::CheckNetcdf(kProgram, nc_set_chunk_cache(size_t(cache_mb * 1048576.0), 1009, 0.75f), "set_chunk_cache");
  }

  std::vector<char> buffer;
  unsigned long long bytes = 0, reads = 0;
  auto start = std::chrono::steady_clock::now();
  bench::ForEachChunkSlab(kProgram, files, steps_per_chunk, buffer, [&](const char*, size_t n, size_t) {
    bytes += n;
    ++reads;
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"seconds\": %.4f, \"bytes\": %llu, \"mb_per_s\": %.1f, \"files\": %zu, \"reads\": %llu}\n", seconds,
              bytes, seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0, files.size(), reads);
  return 0;
}
