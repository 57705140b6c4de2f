#include "nc2zarr/plan/string_dims.h"

#include <map>

namespace nc2zarr {

std::set<std::string> StringDims(const FileSchema& schema, const std::string& group) {
  std::map<std::string, bool> stackable;
  for (const auto& v : schema.variables) {
    if (v.group != group) continue;
    for (std::size_t a = 0; a < v.dims.size(); ++a) {
      bool ok = v.type == DataType::kChar && a + 1 == v.dims.size();
      auto [it, inserted] = stackable.emplace(v.dims[a], ok);
      if (!inserted) it->second = it->second && ok;
    }
  }
  std::set<std::string> out;
  for (const auto& [dim, ok] : stackable) {
    if (ok && schema.FindVariable(group.empty() ? dim : group + "/" + dim) == nullptr) out.insert(dim);
  }
  return out;
}

}  // namespace nc2zarr
