// Standard base64 (RFC 4648, with padding), as GCS uses for hashes.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nc2zarr {

std::string Base64Encode(std::span<const std::byte> data);
std::optional<std::vector<std::byte>> Base64Decode(const std::string& text);

}  // namespace nc2zarr
