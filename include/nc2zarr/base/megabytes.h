// Byte counts for people: decimal megabytes ("12.3 MB"), as every message,
// progress line and summary counts them.
#pragma once

#include <cstdint>
#include <string>

namespace nc2zarr {

std::string Megabytes(std::uint64_t bytes);

}  // namespace nc2zarr
