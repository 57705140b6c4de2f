// What one NetCDF file contains: groups, dimensions, variables, attributes.
// The reader produces it; planning combines many of them into one dataset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nc2zarr/model/attribute.h"
#include "nc2zarr/model/data_type.h"
#include "nc2zarr/model/shared_vector.h"

namespace nc2zarr {

struct Dimension {
  std::string name;
  std::size_t length = 0;
  bool unlimited = false;
};

struct VariableSchema {
  std::string group;  // "" for the root group, else "a/b"
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  SharedVector<Attribute> attributes;  // shared with other files' same variable when equal
  // Non-empty when the variable cannot be converted, saying why.
  std::string unsupported;
  // The HDF5 chunk shape of a chunked netCDF-4 variable; empty otherwise.
  std::vector<std::size_t> storage_chunks;

  // The Zarr path of the variable: "name" or "group/name".
  std::string path() const { return group.empty() ? name : group + "/" + name; }
  std::size_t element_count() const;
  int AxisOf(const std::string& dim) const;  // -1 when absent

  bool operator==(const VariableSchema&) const = default;
};

struct GroupSchema {
  std::string path;  // "" for the root group
  std::vector<Attribute> attributes;
  std::vector<Dimension> dimensions;  // declared in this group
};

struct FileSchema {
  std::string path;
  std::string format;  // "classic", "64-bit offset", "cdf5", "netCDF-4", ...
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_ns = 0;
  std::vector<GroupSchema> groups;  // the root group first
  // Shared with the previous file's when every variable is alike (rank 0
  // holds thousands of files of hundreds of variables while it plans).
  SharedVector<VariableSchema> variables;

  const VariableSchema* FindVariable(const std::string& path) const;
  // Dimensions declared anywhere in the file, by name (first declaration wins).
  const Dimension* FindDimension(const std::string& name) const;
};

}  // namespace nc2zarr
