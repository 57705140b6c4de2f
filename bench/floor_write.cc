// bench_floor_write: what writing the output costs by itself. On one core,
// writes --objects files of --bytes/--objects bytes each into --dir, each as a
// temporary name then a rename (as nc2zarr's local store and zarr-python's
// DirectoryStore both do), from one reused buffer; no fsync. Then removes them
// (not timed) unless --keep. Not a target of issue 7, whose floor is read + compress: it
// shows what any tool that writes a store on this filesystem pays on top.
//
// Usage: bench_floor_write --dir DIR --objects N --bytes TOTAL [--keep]
// Prints one JSON line: seconds, bytes, objects, mb_per_s.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::string dir;
  unsigned long long objects = 0, total = 0;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--objects" && i + 1 < argc) objects = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--bytes" && i + 1 < argc) total = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: bench_floor_write --dir DIR --objects N --bytes TOTAL [--keep]\n");
      return 2;
    }
  }
  if (dir.empty() || objects == 0) {
    std::fprintf(stderr, "usage: bench_floor_write --dir DIR --objects N --bytes TOTAL [--keep]\n");
    return 2;
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  const size_t each = size_t(total / objects);
  std::vector<char> buffer(each + 1);
  uint64_t x = 0x9E3779B97F4A7C15ull;  // incompressible-looking content, not that it matters
  for (auto& c : buffer) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = char(x);
  }
  auto start = std::chrono::steady_clock::now();
  unsigned long long written = 0;
  for (unsigned long long k = 0; k < objects; ++k) {
    size_t n = k + 1 == objects ? size_t(total - written) : each;
    if (n > buffer.size()) buffer.resize(n, 'x');
    std::string name = dir + "/" + std::to_string(k);
    std::string tmp = name + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::perror(tmp.c_str());
      return 1;
    }
    size_t off = 0;
    while (off < n) {
      ssize_t w = ::write(fd, buffer.data() + off, n - off);
      if (w <= 0) {
        std::perror("write");
        return 1;
      }
      off += size_t(w);
    }
    ::close(fd);
    if (::rename(tmp.c_str(), name.c_str()) != 0) {
      std::perror("rename");
      return 1;
    }
    written += n;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!keep) fs::remove_all(dir);
  std::printf("{\"seconds\": %.4f, \"bytes\": %llu, \"objects\": %llu, \"mb_per_s\": %.1f}\n", seconds, written,
              objects, seconds > 0 ? double(written) / 1e6 / seconds : 0.0);
  return 0;
}
