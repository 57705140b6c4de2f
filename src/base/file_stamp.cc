#include "nc2zarr/base/file_stamp.h"

#include <sys/stat.h>

namespace nc2zarr {

std::optional<FileStamp> StampOf(const std::string& path) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return std::nullopt;
  return FileStamp{static_cast<std::uint64_t>(sb.st_size),
                   static_cast<std::int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec};
}

std::optional<std::string> FileIdentity(const std::string& path) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return std::nullopt;
  return std::to_string(sb.st_dev) + ":" + std::to_string(sb.st_ino);
}

}  // namespace nc2zarr
