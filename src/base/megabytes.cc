#include "nc2zarr/base/megabytes.h"

#include <cstdio>

namespace nc2zarr {

std::string Megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace nc2zarr
