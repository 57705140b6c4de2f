#include "nc2zarr/read/classic_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <vector>

#include "nc2zarr/codec/byte_order.h"

namespace nc2zarr {

static_assert(std::endian::native == std::endian::little, "the Zarr arrays nc2zarr writes are little-endian");

namespace {

// Reads and swaps in pieces that stay in the core's cache between the two.
constexpr std::size_t kPieceBytes = std::size_t{1} << 20;

}  // namespace

std::unique_ptr<ClassicReader> ClassicReader::Open(const std::string& path) {
  auto layout = ReadClassicLayout(path);
  if (!layout.ok()) return nullptr;  // netCDF-C reads it, or reports it
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return std::unique_ptr<ClassicReader>(new ClassicReader(fd, path, std::move(*layout)));
}

ClassicReader::ClassicReader(int fd, std::string path, ClassicLayout layout)
    : fd_(fd), path_(std::move(path)), layout_(std::move(layout)) {
  for (const auto& v : layout_.variables) by_name_[v.name] = &v;
}

ClassicReader::~ClassicReader() { ::close(fd_); }

Result<bool> ClassicReader::ReadSlab(const std::string& variable_path, std::span<const std::size_t> start,
                                     std::span<const std::size_t> count, std::size_t element_size, void* out) {
  auto found = by_name_.find(variable_path);
  if (found == by_name_.end()) return false;
  const ClassicLayout::Variable& v = *found->second;
  const std::size_t rank = v.shape.size();
  if (v.element_size != element_size || start.size() != rank || count.size() != rank || rank == 0) return false;
  if (v.record && (!layout_.records_known || rank == 1)) return false;  // one value a record: tiny runs
  for (std::size_t a = 0; a < rank; ++a) {
    if (count[a] > v.shape[a] || start[a] > v.shape[a] - count[a]) return false;  // netCDF-C reports it
    if (count[a] == 0) return true;
  }

  // Bytes from one index to the next along each axis; a record variable's
  // first axis steps from record to record.
  std::vector<std::uint64_t> stride(rank);
  std::uint64_t step = element_size;
  for (std::size_t a = rank; a-- > 0;) {
    stride[a] = step;
    step *= v.shape[a];
  }
  if (v.record) stride[0] = layout_.record_size;

  // Each contiguous run spans the axes the slab covers whole, and part of
  // the one before them (never a record variable's record axis).
  std::size_t run_axis = rank - 1;
  const std::size_t first_contiguous_axis = v.record ? 1 : 0;
  while (run_axis > first_contiguous_axis && count[run_axis] == v.shape[run_axis]) --run_axis;
  const std::uint64_t run_bytes = count[run_axis] * stride[run_axis];
  if (run_bytes < kMinRunBytes) return false;

  std::vector<std::size_t> index(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(run_axis));
  auto* into = static_cast<std::byte*>(out);
  while (true) {
    std::uint64_t offset = v.begin + start[run_axis] * stride[run_axis];
    for (std::size_t a = 0; a < run_axis; ++a) offset += index[a] * stride[a];
    RETURN_IF_ERROR(ReadRun(offset, run_bytes, element_size, into));
    into += run_bytes;
    std::size_t a = run_axis;
    while (a-- > 0) {
      if (++index[a] < start[a] + count[a]) break;
      index[a] = start[a];
    }
    if (a == static_cast<std::size_t>(-1)) return true;
  }
}

Status ClassicReader::ReadRun(std::uint64_t offset, std::size_t bytes, std::size_t element_size,
                              std::byte* out) const {
  while (bytes > 0) {
    const std::size_t piece = std::min(bytes, kPieceBytes);
    std::size_t done = 0;
    while (done < piece) {
      ssize_t got = ::pread(fd_, out + done, piece - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return IoError("cannot read " + path_ + ": " + std::strerror(errno));
      if (got == 0) {
        return InvalidInput(path_ + " is truncated: its header describes data past its end; copy it again from "
                            "its source");
      }
      done += static_cast<std::size_t>(got);
    }
    SwapBytesInPlace(out, piece / element_size, element_size);
    out += piece;
    offset += piece;
    bytes -= piece;
  }
  return Status::Ok();
}

}  // namespace nc2zarr
