#include "nc2zarr/plan/packing.h"

#include <cmath>

namespace nc2zarr {

Packing PackingOf(const std::vector<Attribute>& attributes) {
  Packing p;
  auto single = [&](const char* name) -> std::optional<double> {
    const Attribute* a = FindAttribute(attributes, name);
    if (a == nullptr || a->type == DataType::kChar || a->type == DataType::kString || a->count() == 0) {
      return std::nullopt;
    }
    return a->DoubleAt(0);
  };
  p.scale = single("scale_factor");
  p.offset = single("add_offset");
  for (const char* name : {"missing_value", "_FillValue"}) {
    const Attribute* a = FindAttribute(attributes, name);
    if (a == nullptr || a->type == DataType::kChar || a->type == DataType::kString) continue;
    for (std::size_t i = 0; i < a->count(); ++i) {
      double v = a->DoubleAt(i);
      if (!std::isnan(v)) p.fills.push_back(v);
    }
  }
  return p;
}

DataType MaskedType(DataType raw) {
  if (!IsInteger(raw)) return raw;
  return SizeOf(raw) <= 2 ? DataType::kFloat32 : DataType::kFloat64;
}

DataType DecodedType(DataType raw, const Packing& packing) {
  DataType t = packing.fills.empty() ? raw : MaskedType(raw);
  if (packing.scale || packing.offset) {
    if (t == DataType::kFloat32) return t;
    if (IsInteger(t) && SizeOf(t) <= 2 && !packing.offset) return DataType::kFloat32;
    return DataType::kFloat64;
  }
  return t;
}

}  // namespace nc2zarr
