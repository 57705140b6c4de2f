#include "nc2zarr/pipeline/chunk_reader.h"

#include <algorithm>
#include <cstring>

#include "nc2zarr/pipeline/unpack.h"
#include "nc2zarr/pipeline/value_shift.h"
#include "nc2zarr/zarr/vlen_utf8.h"

namespace nc2zarr {
namespace {

std::size_t Product(const std::vector<std::size_t>& v) {
  std::size_t n = 1;
  for (std::size_t x : v) n *= x;
  return n;
}

std::vector<std::size_t> Strides(const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// A block of shape count is one contiguous run inside an array of shape
// chunk when it is a single row of some axis m and spans whole extents
// after m.
bool IsContiguous(const std::vector<std::size_t>& count, const std::vector<std::size_t>& chunk) {
  std::size_t m = 0;
  while (m < count.size() && count[m] == 1) ++m;
  for (std::size_t k = m + 1; k < count.size(); ++k) {
    if (count[k] != chunk[k]) return false;
  }
  return true;
}

std::size_t OffsetOf(const std::vector<std::size_t>& at, const std::vector<std::size_t>& strides) {
  std::size_t off = 0;
  for (std::size_t i = 0; i < at.size(); ++i) off += at[i] * strides[i];
  return off;
}

// Copies a dense block (C order) into a larger array at position at.
void CopyBlock(const std::byte* src, const std::vector<std::size_t>& count, std::byte* dst,
               const std::vector<std::size_t>& chunk, const std::vector<std::size_t>& at, std::size_t element) {
  const std::size_t rank = count.size();
  if (rank == 0) {
    std::memcpy(dst, src, element);
    return;
  }
  const auto dst_strides = Strides(chunk);
  const std::size_t row_bytes = count[rank - 1] * element;
  std::vector<std::size_t> index(rank, 0);  // over all axes but the last
  const std::size_t rows = Product(count) / std::max<std::size_t>(1, count[rank - 1]);
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t off = 0;
    for (std::size_t i = 0; i + 1 < rank; ++i) off += (at[i] + index[i]) * dst_strides[i];
    off += at[rank - 1];
    std::memcpy(dst + off * element, src + r * row_bytes, row_bytes);
    for (std::size_t i = rank - 1; i-- > 0;) {
      if (++index[i] < count[i]) break;
      index[i] = 0;
    }
  }
}

}  // namespace

std::vector<ChunkReader::Piece> ChunkReader::PiecesOf(const PlannedVariable& v, const ChunkRegion& region) const {
  std::vector<Piece> pieces;
  const std::vector<std::size_t> origin(region.start.size(), 0);
  if (v.concat_axis < 0) {
    pieces.push_back(Piece{&plan_.files.front(), region.start, region.count, origin});
    return pieces;
  }
  const auto a = static_cast<std::size_t>(v.concat_axis);
  const std::size_t begin = region.start[a], end = begin + region.count[a];
  // Files are in concat order with increasing offsets: find the first one
  // that ends after begin.
  auto it = std::upper_bound(plan_.files.begin(), plan_.files.end(), begin,
                             [](std::size_t pos, const InputFile& f) { return pos < f.concat_offset + f.concat_length; });
  for (; it != plan_.files.end() && it->concat_offset < end; ++it) {
    if (it->concat_length == 0) continue;
    std::size_t lo = std::max(begin, it->concat_offset), hi = std::min(end, it->concat_offset + it->concat_length);
    Piece p{&*it, region.start, region.count, origin};
    p.start[a] = lo - it->concat_offset;
    p.count[a] = hi - lo;
    p.at[a] = lo - begin;
    pieces.push_back(std::move(p));
  }
  return pieces;
}

Status ChunkReader::Read(const PlannedVariable& v, const ChunkRegion& region, std::vector<std::byte>& out) {
  const auto pieces = PiecesOf(v, region);
  if (v.type == DataType::kString) return ReadStrings(v, pieces, out);

  const std::size_t element = v.element_size();
  const std::size_t bytes = Product(v.chunks) * element;
  const bool partial = region.count != v.chunks;
  out.resize(bytes);
  if (partial) std::memset(out.data(), 0, bytes);
  const auto strides = Strides(v.chunks);
  for (const auto& p : pieces) {
    std::vector<std::size_t> start = p.start, count = p.count;
    std::size_t string_length = v.string_length;
    if (v.string_length > 0) {  // the characters of fixed-width strings
      if (auto it = p.file->string_lengths.find(v.path()); it != p.file->string_lengths.end()) string_length = it->second;
      start.push_back(0);
      count.push_back(string_length);
    }
    ASSIGN_OR_RETURN(const NetcdfFile* file, files_.Get(p.file->path));
    const auto shift = p.file->value_offsets.find(v.path());
    const bool shifted = shift != p.file->value_offsets.end();
    if (string_length != v.string_length) {
      // Shorter strings than the store's: NUL-padded to its length.
      const std::size_t n = Product(p.count);
      scratch_.resize(n * string_length);
      RETURN_IF_ERROR(file->ReadSlab(v.path(), v.type, start, count, scratch_.data()));
      unpacked_.assign(n * element, std::byte{0});
      for (std::size_t i = 0; i < n; ++i) {
        std::memcpy(unpacked_.data() + i * element, scratch_.data() + i * string_length, string_length);
      }
      CopyBlock(unpacked_.data(), p.count, out.data(), v.chunks, p.at, element);
    } else if (v.unpacked_from) {
      // Read as the file stores it, decode with this file's packing.
      const std::size_t n = Product(p.count);
      scratch_.resize(n * SizeOf(*v.unpacked_from));
      RETURN_IF_ERROR(file->ReadSlab(v.path(), *v.unpacked_from, start, count, scratch_.data()));
      unpacked_.resize(n * element);
      auto packing = p.file->packings.find(v.path());
      UnpackValues(*v.unpacked_from, packing == p.file->packings.end() ? Packing{} : packing->second, v.type,
                   scratch_.data(), n, unpacked_.data());
      CopyBlock(unpacked_.data(), p.count, out.data(), v.chunks, p.at, element);
    } else if (IsContiguous(p.count, v.chunks) && !shifted) {
      RETURN_IF_ERROR(file->ReadSlab(v.path(), v.type, start, count, out.data() + OffsetOf(p.at, strides) * element));
    } else {
      scratch_.resize(Product(p.count) * element);
      RETURN_IF_ERROR(file->ReadSlab(v.path(), v.type, start, count, scratch_.data()));
      if (shifted && !ShiftValues(v.type, v.attributes, shift->second, scratch_.data(), Product(p.count))) {
        return InvalidInput("variable '" + v.path() + "' in " + p.file->path +
                            ": moved to the store's time units, its values leave the range of " +
                            std::string(NumpyTypeName(v.type)) + " or land on its _FillValue/missing_value" +
                            "; rewrite the files to common time units (e.g. with `cdo settunits` and `cdo setreftime`)");
      }
      CopyBlock(scratch_.data(), p.count, out.data(), v.chunks, p.at, element);
    }
  }
  return Status::Ok();
}

Status ChunkReader::ReadStrings(const PlannedVariable& v, const std::vector<Piece>& pieces, std::vector<std::byte>& out) {
  std::vector<std::string> items(Product(v.chunks));
  const auto strides = Strides(v.chunks);
  std::vector<std::string> read;
  for (const auto& p : pieces) {
    ASSIGN_OR_RETURN(const NetcdfFile* file, files_.Get(p.file->path));
    read.clear();
    RETURN_IF_ERROR(file->ReadStrings(v.path(), p.start, p.count, read));
    // Walk the piece in C order and place each string.
    std::vector<std::size_t> index(p.count.size(), 0);
    for (auto& s : read) {
      std::size_t off = 0;
      for (std::size_t i = 0; i < index.size(); ++i) off += (p.at[i] + index[i]) * strides[i];
      items[off] = std::move(s);
      for (std::size_t i = index.size(); i-- > 0;) {
        if (++index[i] < p.count[i]) break;
        index[i] = 0;
      }
    }
  }
  out = EncodeVlenUtf8(items);
  return Status::Ok();
}

}  // namespace nc2zarr
