// Adds a constant to the values of a block read from one input file: how a
// file that counts time from another reference date is brought to the
// store's units (see plan/time_units.h). Missing values stay missing.
#pragma once

#include <cstddef>
#include <vector>

#include "nc2zarr/model/attribute.h"
#include "nc2zarr/model/data_type.h"

namespace nc2zarr {

// Adds offset to each of the count elements of type at data, except NaN and
// the variable's _FillValue / missing_value (from its attributes). Integer
// offsets are whole numbers (the plan refuses others). False when an
// integer sum leaves its type's range or lands on a missing value (those
// values are left as they were).
[[nodiscard]] bool ShiftValues(DataType type, const std::vector<Attribute>& attributes, double offset, std::byte* data,
                 std::size_t count);

}  // namespace nc2zarr
