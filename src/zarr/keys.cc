#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {

std::string ChunkKey(const std::string& array_path, std::span<const std::size_t> chunk_index) {
  std::string key = array_path + "/";
  if (chunk_index.empty()) return key + "0";
  for (std::size_t i = 0; i < chunk_index.size(); ++i) {
    if (i > 0) key += '.';
    key += std::to_string(chunk_index[i]);
  }
  return key;
}

std::string MetadataKey(const std::string& node_path, const std::string& file) {
  return node_path.empty() ? file : node_path + "/" + file;
}

}  // namespace nc2zarr
