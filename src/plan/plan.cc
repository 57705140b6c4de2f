#include "nc2zarr/plan/plan.h"

#include <sstream>

namespace nc2zarr {
namespace {

std::size_t GridExtent(std::size_t length, std::size_t chunk) {
  return chunk == 0 ? 0 : (length + chunk - 1) / chunk;
}

}  // namespace

std::size_t PlannedVariable::element_size() const {
  if (type == DataType::kChar) return string_length == 0 ? 1 : string_length;
  return SizeOf(type);
}

std::size_t PlannedVariable::chunk_count() const {
  std::size_t n = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) n *= GridExtent(shape[i], chunks[i]);
  return n;
}

int PlannedVariable::AxisOfDim(const std::string& dim) const {
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == dim) return static_cast<int>(i);
  }
  return -1;
}

std::size_t Plan::total_chunks() const {
  std::size_t n = 0;
  for (const auto& v : variables) n += v.chunk_count();
  return n;
}

std::uint64_t Plan::raw_bytes() const {
  std::uint64_t total = 0;
  for (const auto& v : variables) {
    std::uint64_t n = v.element_size();
    for (std::size_t s : v.shape) n *= s;
    total += n;
  }
  return total;
}

const PlannedVariable* Plan::FindVariable(const std::string& path) const {
  for (const auto& v : variables) {
    if (v.path() == path) return &v;
  }
  return nullptr;
}

bool Plan::IsCoordinate(const PlannedVariable& variable) const {
  if (variable.dims.size() == 1 && variable.dims[0] == variable.name) return true;
  for (const auto& v : variables) {
    if (v.group != variable.group) continue;
    auto text = TextAttribute(v.attributes, "coordinates");
    if (!text) continue;
    std::istringstream words(*text);
    for (std::string w; words >> w;) {
      if (w == variable.name) return true;
    }
  }
  return false;
}

ChunkRegion ChunkAt(const PlannedVariable& variable, std::size_t k) {
  const std::size_t rank = variable.shape.size();
  ChunkRegion region;
  region.index.resize(rank);
  region.start.resize(rank);
  region.count.resize(rank);
  for (std::size_t i = rank; i-- > 0;) {
    std::size_t extent = GridExtent(variable.shape[i], variable.chunks[i]);
    region.index[i] = k % extent;
    k /= extent;
    region.start[i] = region.index[i] * variable.chunks[i];
    region.count[i] = std::min(variable.chunks[i], variable.shape[i] - region.start[i]);
  }
  return region;
}

}  // namespace nc2zarr
