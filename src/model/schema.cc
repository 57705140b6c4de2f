#include "nc2zarr/model/schema.h"

namespace nc2zarr {

std::size_t VariableSchema::element_count() const {
  std::size_t n = 1;
  for (std::size_t s : shape) n *= s;
  return n;
}

int VariableSchema::AxisOf(const std::string& dim) const {
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == dim) return static_cast<int>(i);
  }
  return -1;
}

const VariableSchema* FileSchema::FindVariable(const std::string& path) const {
  for (const auto& v : variables) {
    if (v.path() == path) return &v;
  }
  return nullptr;
}

const Dimension* FileSchema::FindDimension(const std::string& name) const {
  for (const auto& g : groups) {
    for (const auto& d : g.dimensions) {
      if (d.name == name) return &d;
    }
  }
  return nullptr;
}

}  // namespace nc2zarr
