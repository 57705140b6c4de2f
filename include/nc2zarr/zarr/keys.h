// Object keys of a Zarr v2 store.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace nc2zarr {

// "path/1.0.3", or "path/0" for a 0-d array (Zarr v2, "." separator).
std::string ChunkKey(const std::string& array_path, std::span<const std::size_t> chunk_index);

// "path/.zarray" etc.; the root group's keys have no leading slash.
std::string MetadataKey(const std::string& node_path, const std::string& file);

inline constexpr const char* kZarray = ".zarray";
inline constexpr const char* kZattrs = ".zattrs";
inline constexpr const char* kZgroup = ".zgroup";
inline constexpr const char* kZmetadata = ".zmetadata";

}  // namespace nc2zarr
