#include "nc2zarr/read/classic_layout.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <vector>

namespace nc2zarr {
namespace {

constexpr std::uint32_t kDimensionTag = 0x0A;
constexpr std::uint32_t kVariableTag = 0x0B;
constexpr std::uint32_t kAttributeTag = 0x0C;

// Sequential big-endian reader over the header.
class HeaderReader {
 public:
  HeaderReader(std::ifstream& in, int version) : in_(in), version_(version) {}

  bool ok() const { return ok_; }
  std::uint64_t U32() { return Read(4); }
  // Counts and lengths: 8 bytes in CDF-5, else 4.
  std::uint64_t Count() { return Read(version_ == 5 ? 8 : 4); }
  // Variable offsets: 4 bytes in CDF-1, else 8.
  std::uint64_t Offset() { return Read(version_ == 1 ? 4 : 8); }
  void Skip(std::uint64_t n) {
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    ok_ = ok_ && in_.good();
  }
  void SkipName() { Skip(Padded(Count())); }
  std::string Name() {
    std::uint64_t length = Count();
    if (!ok_ || length > (1u << 20)) {  // names are short; a huge length is a damaged header
      ok_ = false;
      return {};
    }
    std::string name(length, '\0');
    in_.read(name.data(), static_cast<std::streamsize>(length));
    ok_ = ok_ && in_.gcount() == static_cast<std::streamsize>(length);
    Skip(Padded(length) - length);
    return name;
  }
  static std::uint64_t Padded(std::uint64_t n) { return (n + 3) / 4 * 4; }

 private:
  std::uint64_t Read(int bytes) {
    unsigned char b[8] = {0};
    in_.read(reinterpret_cast<char*>(b), bytes);
    ok_ = ok_ && in_.gcount() == bytes;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | b[i];
    return v;
  }
  std::ifstream& in_;
  int version_;
  bool ok_ = true;
};

std::uint64_t TypeSize(std::uint64_t nc_type) {
  switch (nc_type) {
    case 1: case 2: case 7: return 1;   // byte, char, ubyte
    case 3: case 8: return 2;           // short, ushort
    case 4: case 5: case 9: return 4;   // int, float, uint
    case 6: case 10: case 11: return 8;  // double, int64, uint64
    default: return 0;
  }
}

bool SkipAttributes(HeaderReader& r) {
  std::uint64_t tag = r.U32();
  std::uint64_t n = r.Count();
  if (tag != kAttributeTag && !(tag == 0 && n == 0)) return false;
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    r.SkipName();
    std::uint64_t size = TypeSize(r.U32());
    if (size == 0) return false;
    r.Skip(HeaderReader::Padded(r.Count() * size));
  }
  return r.ok();
}

}  // namespace

Result<ClassicLayout> ReadClassicLayout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  auto malformed = [&] { return InvalidInput(path + " has a malformed or truncated classic NetCDF header"); };
  char magic[4] = {0};
  in.read(magic, 4);
  if (in.gcount() != 4 || magic[0] != 'C' || magic[1] != 'D' || magic[2] != 'F') return malformed();
  ClassicLayout layout;
  const int version = magic[3];
  if (version != 1 && version != 2 && version != 5) return malformed();
  HeaderReader r(in, version);

  layout.records = r.Count();
  if (layout.records == (version == 5 ? ~0ULL : 0xFFFFFFFFULL)) {  // "streaming": unknown yet
    layout.records = 0;
    layout.records_known = false;
  }

  std::vector<std::uint64_t> dim_lengths;
  std::uint64_t tag = r.U32(), n = r.Count();
  if (tag != kDimensionTag && !(tag == 0 && n == 0)) return malformed();
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    r.SkipName();
    dim_lengths.push_back(r.Count());  // 0 marks the record dimension
  }
  if (!SkipAttributes(r)) return malformed();

  tag = r.U32();
  n = r.Count();
  if (tag != kVariableTag && !(tag == 0 && n == 0)) return malformed();
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    ClassicLayout::Variable v;
    v.name = r.Name();
    std::uint64_t ndims = r.Count();
    std::uint64_t elements = 1;
    for (std::uint64_t d = 0; d < ndims && r.ok(); ++d) {
      std::uint64_t id = r.Count();
      if (id >= dim_lengths.size()) return malformed();
      if (dim_lengths[id] == 0) {
        if (d != 0) return malformed();
        v.record = true;
        v.shape.push_back(layout.records);
      } else {
        v.shape.push_back(dim_lengths[id]);
        elements *= dim_lengths[id];
      }
    }
    if (!SkipAttributes(r)) return malformed();
    v.element_size = TypeSize(r.U32());
    if (v.element_size == 0) return malformed();
    v.bytes = elements * v.element_size;
    r.Count();  // vsize: recomputed above, it saturates for large variables
    v.begin = r.Offset();
    layout.variables.push_back(std::move(v));
  }
  if (!r.ok()) return malformed();
  layout.header_end = static_cast<std::uint64_t>(in.tellg());

  // Records interleave the record variables; a lone record variable is not padded.
  std::size_t record_vars = 0;
  for (const auto& v : layout.variables) {
    if (v.record) {
      layout.record_size += HeaderReader::Padded(v.bytes);
      ++record_vars;
    }
  }
  if (record_vars == 1) {
    for (const auto& v : layout.variables) {
      if (v.record) layout.record_size = v.bytes;
    }
  }
  return layout;
}

std::uint64_t ClassicLayout::ExpectedSize() const {
  std::uint64_t end = header_end;
  for (const auto& v : variables) {
    if (!v.record) {
      end = std::max(end, v.begin + v.bytes);
    } else if (records > 0) {
      end = std::max(end, v.begin + (records - 1) * record_size + v.bytes);
    }
  }
  return end;
}

Result<std::uint64_t> ClassicExpectedSize(const std::string& path) {
  ASSIGN_OR_RETURN(ClassicLayout layout, ReadClassicLayout(path));
  return layout.ExpectedSize();
}

Status CheckClassicFileComplete(const std::string& path) {
  ASSIGN_OR_RETURN(std::uint64_t expected, ClassicExpectedSize(path));
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return InvalidInput("cannot stat " + path);
  auto actual = static_cast<std::uint64_t>(sb.st_size);
  if (actual < expected) {
    return InvalidInput(path + " is truncated: its header describes " + std::to_string(expected) +
                        " bytes but the file has " + std::to_string(actual) + "; copy it again from its source");
  }
  return Status::Ok();
}

}  // namespace nc2zarr
