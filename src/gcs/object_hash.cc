#include "nc2zarr/gcs/object_hash.h"

#include <array>
#include <cstddef>
#include <sstream>

#include "nc2zarr/base/base64.h"

namespace nc2zarr {

std::string Crc32cToBase64(std::uint32_t crc) {
  std::array<std::byte, 4> b = {static_cast<std::byte>(crc >> 24), static_cast<std::byte>(crc >> 16),
                                static_cast<std::byte>(crc >> 8), static_cast<std::byte>(crc)};
  return Base64Encode(b);
}

std::optional<std::uint32_t> Crc32cFromBase64(const std::string& text) {
  auto bytes = Base64Decode(text);
  if (!bytes || bytes->size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (std::byte b : *bytes) v = (v << 8) | static_cast<std::uint32_t>(b);
  return v;
}

std::optional<std::uint32_t> Crc32cFromHashHeader(const std::string& header) {
  std::stringstream in(header);
  for (std::string item; std::getline(in, item, ',');) {
    auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    item = item.substr(first);
    if (item.rfind("crc32c=", 0) == 0) return Crc32cFromBase64(item.substr(7));
  }
  return std::nullopt;
}

}  // namespace nc2zarr
