#include "nc2zarr/pipeline/unpack.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace nc2zarr {
namespace {

template <typename T>
double Load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

double LoadAsDouble(DataType type, const std::byte* p) {
  switch (type) {
    case DataType::kInt8: return Load<std::int8_t>(p);
    case DataType::kUInt8: return Load<std::uint8_t>(p);
    case DataType::kInt16: return Load<std::int16_t>(p);
    case DataType::kUInt16: return Load<std::uint16_t>(p);
    case DataType::kInt32: return Load<std::int32_t>(p);
    case DataType::kUInt32: return Load<std::uint32_t>(p);
    case DataType::kInt64: return Load<std::int64_t>(p);
    case DataType::kUInt64: return Load<std::uint64_t>(p);
    case DataType::kFloat32: return Load<float>(p);
    case DataType::kFloat64: return Load<double>(p);
    case DataType::kChar:
    case DataType::kString: return 0;  // never packed: the plan unpacks numbers only
  }
  return 0;
}

}  // namespace

void UnpackValues(DataType raw, const Packing& packing, DataType stored, const std::byte* in, std::size_t count,
                  std::byte* out) {
  const std::size_t raw_size = SizeOf(raw);
  // xarray masks first, then scales in the type it decodes to.
  const bool mask = !packing.fills.empty();
  const bool mask_in_float32 = MaskedType(raw) == DataType::kFloat32;
  const bool scale = packing.scale || packing.offset;
  const bool scale_in_float32 = DecodedType(raw, packing) == DataType::kFloat32;
  // numpy compares and computes a float32 array with a double scalar in
  // float32 when the scalar's magnitude fits a float32, else in double.
  auto fits_float32 = [](double x) { return !(std::fabs(x) > std::numeric_limits<float>::max()); };
  std::vector<double> fills;  // each as the comparison sees it
  for (double f : packing.fills) fills.push_back(mask_in_float32 && fits_float32(f) ? static_cast<float>(f) : f);
  const double scale_factor = packing.scale.value_or(1), add_offset = packing.offset.value_or(0);
  const bool scale32 = fits_float32(scale_factor), offset32 = fits_float32(add_offset);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < count; ++i) {
    double v = LoadAsDouble(raw, in + i * raw_size);
    if (mask) {
      if (mask_in_float32) v = static_cast<float>(v);
      if (std::find(fills.begin(), fills.end(), v) != fills.end()) v = nan;
    }
    if (scale) {
      if (scale_in_float32) {
        float x = static_cast<float>(v);
        if (packing.scale) {
          x = scale32 ? x * static_cast<float>(scale_factor)
                      : static_cast<float>(static_cast<double>(x) * scale_factor);
        }
        if (packing.offset) {
          x = offset32 ? x + static_cast<float>(add_offset)
                       : static_cast<float>(static_cast<double>(x) + add_offset);
        }
        v = x;
      } else {
        if (packing.scale) v *= *packing.scale;
        if (packing.offset) v += *packing.offset;
      }
    }
    if (stored == DataType::kFloat32) {
      const float f = static_cast<float>(v);
      std::memcpy(out + i * sizeof f, &f, sizeof f);
    } else {
      std::memcpy(out + i * sizeof v, &v, sizeof v);
    }
  }
}

}  // namespace nc2zarr
