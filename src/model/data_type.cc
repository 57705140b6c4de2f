#include "nc2zarr/model/data_type.h"

#include <array>
#include <utility>

namespace nc2zarr {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<TypeInfo, 12> kTypes = {{
    {DataType::kInt8, "i1", 1},
    {DataType::kUInt8, "u1", 1},
    {DataType::kInt16, "i2", 2},
    {DataType::kUInt16, "u2", 2},
    {DataType::kInt32, "i4", 4},
    {DataType::kUInt32, "u4", 4},
    {DataType::kInt64, "i8", 8},
    {DataType::kUInt64, "u8", 8},
    {DataType::kFloat32, "f4", 4},
    {DataType::kFloat64, "f8", 8},
    {DataType::kChar, "char", 1},
    {DataType::kString, "string", 0},
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

std::optional<DataType> TypeFromName(std::string_view name) {
  for (const auto& info : kTypes) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

}  // namespace nc2zarr
