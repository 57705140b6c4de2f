// Zarr v2 array metadata (.zarray) and how NetCDF types and fill values map
// onto it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nc2zarr/codec/compressor.h"
#include "nc2zarr/model/attribute.h"
#include "nc2zarr/model/data_type.h"

namespace nc2zarr {

struct ArrayMetadata {
  std::vector<std::size_t> shape;
  std::vector<std::size_t> chunks;
  std::string dtype;                       // "<f4", "|S24", "|O", ...
  nlohmann::json fill_value;               // null, a number, "NaN", "Infinity"
  nlohmann::json compressor;               // null or {"id": "zstd", "level": 1}
  nlohmann::json filters;                  // null or [{"id": "vlen-utf8"}]

  nlohmann::json ToJson() const;
};

// The Zarr dtype of a NetCDF type; string_length is the width of a char
// variable whose last dimension became fixed-width strings (0 for none).
std::string ZarrDtype(DataType type, std::size_t string_length);

nlohmann::json CompressorJson(const CompressorSpec& spec);

// How a NetCDF _FillValue becomes Zarr's fill_value. When the value cannot be
// expressed in the array's dtype (a NaN on an int16 variable, which real
// files have), fill_value is null and _FillValue stays an attribute so CF
// decoding behaves as it does on the NetCDF file.
struct FillValueMapping {
  nlohmann::json fill_value;
  bool keep_as_attribute = false;
};
FillValueMapping MapFillValue(DataType type, const Attribute* fill_value);

}  // namespace nc2zarr
