// How one file packs and masks a numeric variable (CF scale_factor,
// add_offset, _FillValue, missing_value), and the float type xarray decodes
// it to. Files that pack a variable differently cannot share stored values,
// so such a variable is stored unpacked: each file's values decoded as
// xarray decodes them, which is what open_mfdataset shows.
#pragma once

#include <optional>
#include <vector>

#include "nc2zarr/model/attribute.h"
#include "nc2zarr/model/data_type.h"

namespace nc2zarr {

struct Packing {
  std::optional<double> scale;   // scale_factor
  std::optional<double> offset;  // add_offset
  std::vector<double> fills;     // _FillValue and missing_value values that are not NaN

  bool operator==(const Packing&) const = default;
};

// The encoding attributes that packing covers; a variable's own copies are
// dropped when it is stored unpacked.
inline constexpr const char* kPackingAttributes[] = {"scale_factor", "add_offset", "_FillValue", "missing_value"};

Packing PackingOf(const std::vector<Attribute>& attributes);

// The type xarray masks values of type raw in: integers of up to 2 bytes in
// float32, wider ones in float64, floats in their own type.
DataType MaskedType(DataType raw);

// The type xarray 2023.01 decodes values of type raw to: masking promotes
// integers to float32 (up to 2 bytes) or float64; scaling keeps float32 and
// small integers without add_offset as float32, else float64; unpacked and
// unmasked values keep their type.
DataType DecodedType(DataType raw, const Packing& packing);

}  // namespace nc2zarr
