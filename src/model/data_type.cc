#include "nc2zarr/model/data_type.h"

#include <array>
#include <cstdint>
#include <utility>

namespace nc2zarr {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view name;
  std::string_view numpy_name;
  std::size_t size;
};

constexpr std::array<TypeInfo, 12> kTypes = {{
    {DataType::kInt8, "i1", "int8", 1},
    {DataType::kUInt8, "u1", "uint8", 1},
    {DataType::kInt16, "i2", "int16", 2},
    {DataType::kUInt16, "u2", "uint16", 2},
    {DataType::kInt32, "i4", "int32", 4},
    {DataType::kUInt32, "u4", "uint32", 4},
    {DataType::kInt64, "i8", "int64", 8},
    {DataType::kUInt64, "u8", "uint64", 8},
    {DataType::kFloat32, "f4", "float32", 4},
    {DataType::kFloat64, "f8", "float64", 8},
    {DataType::kChar, "char", "S1", 1},
    {DataType::kString, "string", "str", 0},
}};

const TypeInfo& Info(DataType type) { return kTypes[static_cast<std::size_t>(type)]; }

}  // namespace

std::size_t SizeOf(DataType type) { return Info(type).size; }

bool IsInteger(DataType type) {
  switch (type) {
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kInt32:
    case DataType::kUInt32:
    case DataType::kInt64:
    case DataType::kUInt64:
      return true;
    default:
      return false;
  }
}

bool IsSigned(DataType type) {
  return type == DataType::kInt8 || type == DataType::kInt16 || type == DataType::kInt32 ||
         type == DataType::kInt64 || IsFloat(type);
}

bool IsFloat(DataType type) { return type == DataType::kFloat32 || type == DataType::kFloat64; }

std::string_view TypeName(DataType type) { return Info(type).name; }

std::string_view NumpyTypeName(DataType type) { return Info(type).numpy_name; }

std::pair<long double, long double> IntegerRange(DataType type) {
  switch (type) {
    case DataType::kInt8: return {INT8_MIN, INT8_MAX};
    case DataType::kUInt8: return {0, UINT8_MAX};
    case DataType::kInt16: return {INT16_MIN, INT16_MAX};
    case DataType::kUInt16: return {0, UINT16_MAX};
    case DataType::kInt32: return {INT32_MIN, INT32_MAX};
    case DataType::kUInt32: return {0, UINT32_MAX};
    case DataType::kInt64: return {INT64_MIN, INT64_MAX};
    case DataType::kUInt64: return {0, UINT64_MAX};
    default: return {0, 0};
  }
}

std::optional<DataType> TypeFromName(std::string_view name) {
  for (const auto& info : kTypes) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

}  // namespace nc2zarr
