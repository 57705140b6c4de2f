// bench_floor_compress: the compression floor of issue 7. On one core, zstd
// (level 1 by default) compresses the raw bytes of every data variable in
// chunks of the Zarr chunk shape (--steps-per-chunk x whole grid), reusing one
// compression context and one output buffer. The bytes are first read from
// the NetCDF files with netCDF-C; only the compression calls are timed.
//
// With --shuffle it also times a 4-byte (element-size) shuffle + zstd of the
// same chunks (numcodecs' Shuffle filter), to show what a shuffle filter buys.
//
// Usage: bench_floor_compress [--level 1] [--steps-per-chunk 30] [--shuffle] FILE...
// Prints one JSON line: seconds, bytes, stored_bytes, ratio, mb_per_s, chunks
// (and shuffle_seconds, shuffle_stored_bytes, shuffle_ratio with --shuffle).
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "chunk_slabs.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kProgram = "bench_floor_compress";

[[noreturn]] void Die(const std::string& message) { bench::Die(kProgram, message); }

// Byte shuffle as numcodecs.Shuffle(elementsize): byte k of every element together.
void Shuffle(const char* in, char* out, size_t n, size_t elem) {
  size_t count = n / elem;
  for (size_t k = 0; k < elem; ++k) {
    char* dst = out + k * count;
    const char* src = in + k;
    for (size_t i = 0; i < count; ++i) dst[i] = src[i * elem];
  }
  std::copy(in + count * elem, in + n, out + count * elem);
}

}  // namespace

int main(int argc, char** argv) {
  size_t steps_per_chunk = 30;
  int level = 1;
  bool shuffle = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps-per-chunk" && i + 1 < argc) steps_per_chunk = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--level" && i + 1 < argc) level = std::atoi(argv[++i]);
    else if (a == "--shuffle") shuffle = true;
    else if (a == "-h" || a == "--help") {
      std::puts("usage: bench_floor_compress [--level 1] [--steps-per-chunk 30] [--shuffle] FILE...");
      return 0;
    } else files.push_back(a);
  }
  if (files.empty() || steps_per_chunk == 0) Die("no input files (or --steps-per-chunk 0)");

  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::vector<char> raw, shuffled, compressed;
  unsigned long long bytes = 0, stored = 0, shuffle_stored = 0, chunks = 0;
  Clock::duration zstd_time{}, shuffle_time{};
  bench::ForEachChunkSlab(kProgram, files, steps_per_chunk, raw, [&](const char* data, size_t n, size_t type_size) {
    size_t bound = ZSTD_compressBound(n);
    if (compressed.size() < bound) compressed.resize(bound);

    auto t0 = Clock::now();
    size_t c = ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), data, n, level);
    zstd_time += Clock::now() - t0;
    if (ZSTD_isError(c)) Die(std::string("zstd: ") + ZSTD_getErrorName(c));
    stored += c;

    if (shuffle) {
      if (shuffled.size() < n) shuffled.resize(n);
      auto t1 = Clock::now();
      Shuffle(data, shuffled.data(), n, type_size);
      size_t s = ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), shuffled.data(), n, level);
      shuffle_time += Clock::now() - t1;
      if (ZSTD_isError(s)) Die(std::string("zstd: ") + ZSTD_getErrorName(s));
      shuffle_stored += s;
    }
    bytes += n;
    ++chunks;
  });
  ZSTD_freeCCtx(cctx);
  double seconds = std::chrono::duration<double>(zstd_time).count();
  std::printf("{\"seconds\": %.4f, \"bytes\": %llu, \"stored_bytes\": %llu, \"ratio\": %.4f, \"mb_per_s\": %.1f, "
              "\"chunks\": %llu, \"level\": %d",
              seconds, bytes, stored, stored ? double(bytes) / double(stored) : 0.0,
              seconds > 0 ? double(bytes) / 1e6 / seconds : 0.0, chunks, level);
  if (shuffle) {
    double ss = std::chrono::duration<double>(shuffle_time).count();
    std::printf(", \"shuffle_seconds\": %.4f, \"shuffle_stored_bytes\": %llu, \"shuffle_ratio\": %.4f", ss,
                shuffle_stored, shuffle_stored ? double(bytes) / double(shuffle_stored) : 0.0);
  }
  std::printf("}\n");
  return 0;
}
