// CRC32C (Castagnoli), the checksum GCS keeps for every object. Uses the
// SSE4.2 crc32 instruction when the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace nc2zarr {

// The CRC32C of data.
std::uint32_t Crc32c(std::span<const std::byte> data);
// The CRC32C of (bytes whose CRC32C is crc) followed by data.
std::uint32_t Crc32cExtend(std::uint32_t crc, std::span<const std::byte> data);

bool Crc32cUsesHardware();

}  // namespace nc2zarr
