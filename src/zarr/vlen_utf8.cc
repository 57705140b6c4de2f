#include "nc2zarr/zarr/vlen_utf8.h"

#include <cstdint>
#include <cstring>

namespace nc2zarr {
namespace {

void PutU32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
}

std::uint32_t GetU32(const std::vector<std::byte>& in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in[at + i]) << (8 * i);
  return v;
}

}  // namespace

std::vector<std::byte> EncodeVlenUtf8(const std::vector<std::string>& items) {
  std::size_t total = 4;
  for (const auto& s : items) total += 4 + s.size();
  std::vector<std::byte> out;
  out.reserve(total);
  PutU32(out, static_cast<std::uint32_t>(items.size()));
  for (const auto& s : items) {
    PutU32(out, static_cast<std::uint32_t>(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out.insert(out.end(), p, p + s.size());
  }
  return out;
}

Result<std::vector<std::string>> DecodeVlenUtf8(const std::vector<std::byte>& bytes) {
  if (bytes.size() < 4) return DataLoss("vlen-utf8 chunk shorter than its header");
  std::uint32_t n = GetU32(bytes, 0);
  std::vector<std::string> items;
  std::size_t at = 4;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (at + 4 > bytes.size()) return DataLoss("vlen-utf8 chunk truncated");
    std::uint32_t len = GetU32(bytes, at);
    at += 4;
    if (at + len > bytes.size()) return DataLoss("vlen-utf8 chunk truncated");
    items.emplace_back(reinterpret_cast<const char*>(bytes.data() + at), len);
    at += len;
  }
  return items;
}

}  // namespace nc2zarr
