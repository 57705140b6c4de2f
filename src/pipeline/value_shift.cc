#include "nc2zarr/pipeline/value_shift.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace nc2zarr {
namespace {

template <typename T>
bool Shift(const std::vector<Attribute>& attributes, double offset, std::byte* data, std::size_t count) {
  // Missing values as the variable's own type, so they compare exactly.
  std::vector<T> missing;
  for (const char* name : {"_FillValue", "missing_value"}) {
    const Attribute* a = FindAttribute(attributes, name);
    if (a == nullptr || a->type == DataType::kChar || a->type == DataType::kString) continue;
    for (std::size_t i = 0; i < a->count(); ++i) missing.push_back(static_cast<T>(a->DoubleAt(i)));
  }
  // Integers add the whole offset exactly and say when a sum leaves T's
  // range (the builtin computes it in infinite precision); floats add it in
  // double, rounding once.
  const long long whole = std::llround(offset);
  bool all_fit = true;
  for (std::size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, data + i * sizeof(T), sizeof(T));
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(value)) continue;
    }
    bool is_missing = false;
    for (T m : missing) is_missing = is_missing || value == m;
    if (is_missing) continue;
    if constexpr (std::is_integral_v<T>) {
      T sum;
      const bool overflows = __builtin_add_overflow(value, whole, &sum);
      bool lands_on_missing = false;
      for (T m : missing) lands_on_missing = lands_on_missing || (!overflows && sum == m);
      if (overflows || lands_on_missing) {  // a value that would read as missing is as wrong as a wrapped one
        all_fit = false;
        continue;
      }
      value = sum;
    } else {
      value = static_cast<T>(static_cast<double>(value) + offset);
    }
    std::memcpy(data + i * sizeof(T), &value, sizeof(T));
  }
  return all_fit;
}

}  // namespace

bool ShiftValues(DataType type, const std::vector<Attribute>& attributes, double offset, std::byte* data,
                 std::size_t count) {
  switch (type) {
    case DataType::kInt8: return Shift<std::int8_t>(attributes, offset, data, count);
    case DataType::kUInt8: return Shift<std::uint8_t>(attributes, offset, data, count);
    case DataType::kInt16: return Shift<std::int16_t>(attributes, offset, data, count);
    case DataType::kUInt16: return Shift<std::uint16_t>(attributes, offset, data, count);
    case DataType::kInt32: return Shift<std::int32_t>(attributes, offset, data, count);
    case DataType::kUInt32: return Shift<std::uint32_t>(attributes, offset, data, count);
    case DataType::kInt64: return Shift<std::int64_t>(attributes, offset, data, count);
    case DataType::kUInt64: return Shift<std::uint64_t>(attributes, offset, data, count);
    case DataType::kFloat32: return Shift<float>(attributes, offset, data, count);
    case DataType::kFloat64: return Shift<double>(attributes, offset, data, count);
    case DataType::kChar:
    case DataType::kString: break;  // never time values: the plan only offsets numbers
  }
  return true;
}

}  // namespace nc2zarr
