// The plan: one combined dataset made of many input files, its Zarr chunk
// grid, and everything a rank needs to write its share. Every rank holds the
// same plan (rank 0 makes it and broadcasts it), so all derived facts, such
// as the list of work items, are computed identically everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nc2zarr/codec/compressor.h"
#include "nc2zarr/model/attribute.h"
#include "nc2zarr/model/data_type.h"
#include "nc2zarr/model/schema.h"
#include "nc2zarr/plan/packing.h"

namespace nc2zarr {

struct InputFile {
  std::string path;
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_ns = 0;
  // This file's slice of the concat dimension in the combined dataset.
  std::size_t concat_offset = 0;
  std::size_t concat_length = 0;
  // What to add to the values of some variables (by path) to bring them to
  // the store's time units, when this file counts time from another
  // reference date. Empty for most files.
  std::map<std::string, double> value_offsets;
  // How this file packs each variable stored unpacked (by path).
  std::map<std::string, Packing> packings;
  // The string length of fixed-width text variables (by path) this file
  // holds shorter than the store: read, then padded with NULs, as xarray
  // concatenates S5 and S7 into S7.
  std::map<std::string, std::size_t> string_lengths;

  bool operator==(const InputFile&) const = default;
};

struct PlannedVariable {
  std::string group;  // "" for the root group
  std::string name;
  DataType type = DataType::kFloat32;
  // Dimensions and shape in Zarr. A char variable whose last dimension holds
  // the characters of fixed-width strings (xarray's rule) has that dimension
  // removed here and string_length set to its length.
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  std::vector<std::size_t> chunks;
  std::size_t string_length = 0;
  int concat_axis = -1;  // axis of the concat dimension, -1 when absent
  std::vector<Attribute> attributes;  // as in the first file
  // Set when the files pack the variable differently: its type in the files;
  // type is then the float type its decoded values are stored as.
  std::optional<DataType> unpacked_from;
  // The first file's HDF5 chunk shape, per Zarr dimension (empty when the
  // input is not chunked): for the advice on misaligned chunks.
  std::vector<std::size_t> input_chunks;

  std::string path() const { return group.empty() ? name : group + "/" + name; }
  // Bytes of one Zarr element; 0 for variable-length strings.
  std::size_t element_size() const;
  std::size_t chunk_count() const;
  int AxisOfDim(const std::string& dim) const;  // -1 when absent
  bool operator==(const PlannedVariable&) const = default;
};

struct PlannedGroup {
  std::string path;  // "" for the root group
  std::vector<Attribute> attributes;
  bool operator==(const PlannedGroup&) const = default;
};

struct Plan {
  std::string concat_dim;          // "" when the inputs are not concatenated
  std::vector<InputFile> files;    // in concat order
  std::vector<PlannedGroup> groups;  // root first
  std::vector<PlannedVariable> variables;
  CompressorSpec compressor;
  double target_chunk_mb = 100;
  std::vector<std::string> warnings;

  std::size_t total_chunks() const;
  std::uint64_t raw_bytes() const;  // uncompressed bytes of all arrays
  const PlannedVariable* FindVariable(const std::string& path) const;
  // Coordinates as xarray sees them: dimension coordinates (1-D, named as
  // their dimension) and variables named in a `coordinates` attribute.
  bool IsCoordinate(const PlannedVariable& variable) const;
  bool operator==(const Plan&) const = default;
};

// Geometry of one chunk: its index in the grid and the region it covers.
struct ChunkRegion {
  std::vector<std::size_t> index;  // chunk grid coordinates
  std::vector<std::size_t> start;  // first element, per dimension
  std::vector<std::size_t> count;  // elements inside the array (edge chunks are partial)
};

// The linear chunk number k of a variable (C order over the chunk grid).
ChunkRegion ChunkAt(const PlannedVariable& variable, std::size_t k);

}  // namespace nc2zarr
