// What identifies a version of an input file: its size and modification
// time. The plan records it at the scan; the commit checks it again, and a
// rerun compares it, so a file rewritten in between is never taken for the
// one that was read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nc2zarr {

struct FileStamp {
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_ns = 0;
};

// Nothing when the file cannot be stat'ed.
std::optional<FileStamp> StampOf(const std::string& path);

// The file a path names, whatever its spelling (links, `./`): its device and
// inode as "dev:ino". Nothing when it cannot be stat'ed.
std::optional<std::string> FileIdentity(const std::string& path);

}  // namespace nc2zarr
