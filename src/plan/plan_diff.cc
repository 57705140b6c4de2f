#include "nc2zarr/plan/plan_diff.h"

#include <cstdio>
#include <map>

#include "nc2zarr/base/fingerprint.h"

namespace nc2zarr {
namespace {

std::string Tuple(const std::vector<std::size_t>& v) {
  std::string out = "(";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + ")";
}

}  // namespace

std::vector<std::string> DescribePlanChanges(const Plan& before, const Plan& now) {
  std::vector<std::string> changes;
  std::map<std::string, const InputFile*> old_files, new_files;
  for (const auto& f : before.files) old_files[f.path] = &f;
  for (const auto& f : now.files) new_files[f.path] = &f;
  for (const auto& [path, f] : new_files) {
    auto it = old_files.find(path);
    if (it == old_files.end()) {
      changes.push_back("input " + path + " is new");
    } else if (it->second->size_bytes != f->size_bytes || it->second->mtime_ns != f->mtime_ns) {
      changes.push_back("input " + path + " changed (size or modification time)");
    }
  }
  for (const auto& [path, f] : old_files) {
    if (!new_files.count(path)) changes.push_back("input " + path + " is no longer given");
  }
  if (changes.empty() && before.files != now.files) changes.push_back("the inputs are in a different order");
  if (before.concat_dim != now.concat_dim) {
    changes.push_back("concat dimension '" + before.concat_dim + "' became '" + now.concat_dim + "'");
  }
  if (!(before.compressor == now.compressor)) {
    changes.push_back("compressor " + before.compressor.ToString() + " became " + now.compressor.ToString());
  }
  std::map<std::string, const PlannedVariable*> old_vars;
  for (const auto& v : before.variables) old_vars[v.path()] = &v;
  for (const auto& v : now.variables) {
    auto it = old_vars.find(v.path());
    if (it == old_vars.end()) {
      changes.push_back("variable '" + v.path() + "' is new");
      continue;
    }
    if (it->second->chunks != v.chunks) {
      changes.push_back("chunks of '" + v.path() + "' were " + Tuple(it->second->chunks) + ", now " + Tuple(v.chunks));
    } else if (!(*it->second == v)) {
      changes.push_back("variable '" + v.path() + "' changed (shape, type or attributes)");
    }
    old_vars.erase(it);
  }
  for (const auto& [path, v] : old_vars) changes.push_back("variable '" + path + "' is no longer selected");
  if (changes.empty() && !(before == now)) changes.push_back("the group attributes or planning options changed");
  return changes;
}

std::string PlanFingerprint(const std::string& plan_json) {
  Fingerprint fp;
  fp.Add(plan_json);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fp.value()));
  return buf;
}

}  // namespace nc2zarr
