// CRC32C as GCS writes it: base64 of the 4 big-endian bytes, in JSON
// resources and in "x-goog-hash: crc32c=...,md5=..." headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nc2zarr {

std::string Crc32cToBase64(std::uint32_t crc);
std::optional<std::uint32_t> Crc32cFromBase64(const std::string& text);
// The crc32c entry of an x-goog-hash header value.
std::optional<std::uint32_t> Crc32cFromHashHeader(const std::string& header);

}  // namespace nc2zarr
