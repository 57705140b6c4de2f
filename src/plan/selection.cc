#include "nc2zarr/plan/selection.h"

#include <set>
#include <sstream>

namespace nc2zarr {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// A name used by a variable in group g refers to g's variable, or to one in
// an enclosing group.
const VariableSchema* Resolve(const FileSchema& schema, std::string group, const std::string& name) {
  while (true) {
    if (const auto* v = schema.FindVariable(group.empty() ? name : group + "/" + name)) return v;
    if (group.empty()) return nullptr;
    auto slash = group.rfind('/');
    group = slash == std::string::npos ? "" : group.substr(0, slash);
  }
}

}  // namespace

Result<std::vector<std::string>> SelectVariables(const FileSchema& schema, const std::vector<std::string>& requested,
                                                 const std::vector<std::string>& dropped) {
  std::vector<std::string> all;
  for (const auto& v : schema.variables) all.push_back(v.path());
  auto find = [&](const std::string& name, const char* option) -> Result<const VariableSchema*> {
    if (const VariableSchema* v = schema.FindVariable(name)) return v;
    std::string known;
    for (std::size_t i = 0; i < all.size() && i < 20; ++i) known += (i ? ", " : "") + all[i];
    if (all.size() > 20) known += ", ...";
    return UsageError(std::string(option) + " names '" + name + "', which is not a variable of " + schema.path +
                      " (its variables: " + known + ")");
  };
  std::set<std::string> drop;
  for (const auto& name : dropped) {
    ASSIGN_OR_RETURN(const VariableSchema* v, find(name, "--drop-variables"));
    drop.insert(v->path());
  }

  std::set<std::string> keep;
  std::vector<const VariableSchema*> pending;
  for (const auto& name : requested) {
    ASSIGN_OR_RETURN(const VariableSchema* v, find(name, "--variables"));
    if (drop.count(v->path())) return UsageError("'" + name + "' is named by both --variables and --drop-variables");
    pending.push_back(v);
  }
  if (requested.empty()) {
    for (const auto& v : schema.variables) pending.push_back(&v);
  }
  // What a kept variable names comes along, unless dropped: xarray's
  // drop_variables leaves a 'coordinates' attribute naming it as it is.
  while (!pending.empty()) {
    const VariableSchema* v = pending.back();
    pending.pop_back();
    if (drop.count(v->path()) || !keep.insert(v->path()).second) continue;
    std::vector<std::string> needed = v->dims;
    for (const char* attr : {"coordinates", "bounds", "climatology", "grid_mapping"}) {
      if (auto text = TextAttribute(v->attributes, attr)) {
        for (auto& w : Words(*text)) needed.push_back(w);
      }
    }
    for (const auto& name : needed) {
      if (const auto* dep = Resolve(schema, v->group, name)) pending.push_back(dep);
    }
  }
  std::vector<std::string> out;
  for (const auto& p : all) {
    if (keep.count(p)) out.push_back(p);
  }
  return out;
}

}  // namespace nc2zarr
