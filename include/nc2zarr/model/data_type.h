// The element types a NetCDF variable or attribute can have, and what they
// become in Zarr.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace nc2zarr {

enum class DataType {
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kChar,    // NC_CHAR: one byte of text
  kString,  // NC_STRING: variable-length UTF-8
};

// Bytes per element in memory (kString: the size of a pointer is irrelevant;
// strings are handled separately, so this returns 0).
std::size_t SizeOf(DataType type);

bool IsInteger(DataType type);
bool IsSigned(DataType type);
bool IsFloat(DataType type);

// Short names used in the plan file and in messages: "i2", "f4", "char", ...
std::string_view TypeName(DataType type);
std::optional<DataType> TypeFromName(std::string_view name);

// numpy's names, for messages a Python user reads: "int16", "float32", ...
std::string_view NumpyTypeName(DataType type);

// The lowest and highest value of an integer type (long double holds both
// ends of every one exactly).
std::pair<long double, long double> IntegerRange(DataType type);

}  // namespace nc2zarr
