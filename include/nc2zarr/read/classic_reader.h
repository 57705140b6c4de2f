// A faster path for classic-format inputs (CDF-1, CDF-2, CDF-5): pread a
// variable's big-endian bytes straight into place and swap them, instead
// of netCDF-C's buffered I/O layer and its per-element conversion loops
// (0.34 CPU-s, the page-cache copy and the AVX2 swap, against netCDF-C's
// 0.73 for the benchmark's 1.87 GB netCDF-3 copy).
// Only slabs that come as contiguous runs of at least kMinRunBytes are read
// this way; the rest go through netCDF-C, which buffers small reads.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "nc2zarr/read/classic_layout.h"
#include "nc2zarr/read/direct_reader.h"

namespace nc2zarr {

class ClassicReader : public DirectReader {
 public:
  static constexpr std::size_t kMinRunBytes = 16 * 1024;

  // nullptr when the file cannot be opened or its header is not understood.
  static std::unique_ptr<ClassicReader> Open(const std::string& path);
  ~ClassicReader() override;
  ClassicReader(const ClassicReader&) = delete;
  ClassicReader& operator=(const ClassicReader&) = delete;

  Result<bool> ReadSlab(const std::string& variable_path, std::span<const std::size_t> start,
                        std::span<const std::size_t> count, std::size_t element_size, void* out) override;

 private:
  ClassicReader(int fd, std::string path, ClassicLayout layout);
  Status ReadRun(std::uint64_t offset, std::size_t bytes, std::size_t element_size, std::byte* out) const;

  int fd_;
  std::string path_;
  ClassicLayout layout_;
  std::map<std::string, const ClassicLayout::Variable*> by_name_;
};

}  // namespace nc2zarr
