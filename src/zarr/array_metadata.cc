#include "nc2zarr/zarr/array_metadata.h"

#include <cmath>
#include <limits>
#include <span>

#include "nc2zarr/base/base64.h"

namespace nc2zarr {
namespace {

template <typename T>
bool FitsInteger(double v) {
  return std::isfinite(v) && std::floor(v) == v && v >= static_cast<double>(std::numeric_limits<T>::min()) &&
         v <= static_cast<double>(std::numeric_limits<T>::max());
}

bool FitsInteger(DataType type, double v) {
  switch (type) {
    case DataType::kInt8: return FitsInteger<std::int8_t>(v);
    case DataType::kUInt8: return FitsInteger<std::uint8_t>(v);
    case DataType::kInt16: return FitsInteger<std::int16_t>(v);
    case DataType::kUInt16: return FitsInteger<std::uint16_t>(v);
    case DataType::kInt32: return FitsInteger<std::int32_t>(v);
    case DataType::kUInt32: return FitsInteger<std::uint32_t>(v);
    case DataType::kInt64: return FitsInteger<std::int64_t>(v);
    case DataType::kUInt64: return FitsInteger<std::uint64_t>(v);
    default: return false;
  }
}

nlohmann::json FloatFill(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

}  // namespace

nlohmann::json ArrayMetadata::ToJson() const {
  return {
      {"chunks", chunks}, {"compressor", compressor}, {"dtype", dtype},   {"fill_value", fill_value},
      {"filters", filters}, {"order", "C"},         {"shape", shape}, {"zarr_format", 2},
  };
}

std::string ZarrDtype(DataType type, std::size_t string_length) {
  switch (type) {
    case DataType::kInt8: return "|i1";
    case DataType::kUInt8: return "|u1";
    case DataType::kInt16: return "<i2";
    case DataType::kUInt16: return "<u2";
    case DataType::kInt32: return "<i4";
    case DataType::kUInt32: return "<u4";
    case DataType::kInt64: return "<i8";
    case DataType::kUInt64: return "<u8";
    case DataType::kFloat32: return "<f4";
    case DataType::kFloat64: return "<f8";
    case DataType::kChar: return "|S" + std::to_string(string_length == 0 ? 1 : string_length);
    case DataType::kString: return "|O";
  }
  return "";
}

nlohmann::json CompressorJson(const CompressorSpec& spec) {
  if (spec.kind == CompressorSpec::Kind::kNone) return nullptr;
  return {{"id", "zstd"}, {"level", spec.level}};
}

FillValueMapping MapFillValue(DataType type, const Attribute* fill) {
  if (fill == nullptr) return {nullptr, false};
  // A char fill is bytes: zarr keeps those of a fixed-width bytes dtype in
  // base64, as xarray's own writer stores them (b"X" -> "WA==").
  if (type == DataType::kChar && fill->type == DataType::kChar && fill->strings.size() == 1 &&
      !fill->strings[0].empty()) {
    const std::string& text = fill->strings[0];
    return {Base64Encode(std::as_bytes(std::span(text.data(), text.size()))), false};
  }
  bool single_number = fill->count() == 1 && fill->type != DataType::kChar && fill->type != DataType::kString;
  if (!single_number || type == DataType::kChar || type == DataType::kString) return {nullptr, true};

  if (IsFloat(type)) {
    double v = fill->DoubleAt(0);
    if (type == DataType::kFloat32) v = static_cast<float>(v);
    return {FloatFill(v), false};
  }
  // Integer array: exact integers only.
  if (fill->type == DataType::kUInt64) {
    std::uint64_t u = *fill->UnsignedAt(0);
    if (type == DataType::kUInt64) return {u, false};
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) &&
        FitsInteger(type, static_cast<double>(u))) {
      return {u, false};
    }
    return {nullptr, true};
  }
  if (auto s = fill->SignedAt(0)) {
    if (type == DataType::kInt64) return {*s, false};
    if (type == DataType::kUInt64) return *s >= 0 ? FillValueMapping{static_cast<std::uint64_t>(*s), false}
                                                  : FillValueMapping{nullptr, true};
    if (FitsInteger(type, static_cast<double>(*s))) return {*s, false};
    return {nullptr, true};
  }
  double v = fill->DoubleAt(0);
  if (FitsInteger(type, v)) return {static_cast<std::int64_t>(v), false};
  return {nullptr, true};
}

}  // namespace nc2zarr
