#include "nc2zarr/pipeline/file_cache.h"

namespace nc2zarr {

Result<const NetcdfFile*> FileCache::Get(const std::string& path) {
  for (auto it = files_.begin(); it != files_.end(); ++it) {
    if (it->path() == path) {
      files_.splice(files_.begin(), files_, it);
      return &files_.front();
    }
  }
  files_.push_front(NetcdfFile::OpenWhenRead(path));
  if (files_.size() > capacity_) files_.pop_back();
  return &files_.front();
}

}  // namespace nc2zarr
