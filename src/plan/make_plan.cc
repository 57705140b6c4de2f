#include "nc2zarr/plan/make_plan.h"

#include <map>
#include <set>

#include "nc2zarr/plan/selection.h"

namespace nc2zarr {
namespace {

// xarray turns a char variable's last dimension into fixed-width strings
// when no variable is named after that dimension and every variable using it
// is char with it last (conventions.decode_cf_variables, "stackable").
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

bool IsAncestorOrSelf(const std::string& group, const std::string& of) {
  return group.empty() || of == group || of.rfind(group + "/", 0) == 0;
}

}  // namespace

Result<Plan> MakePlan(const std::vector<FileScan>& scans, const Layout& layout, const PlanRequest& request) {
  const FileSchema& first = scans[layout.order.front()].schema;
  Plan plan;
  plan.concat_dim = layout.concat_dim;
  plan.compressor = request.compressor;
  plan.target_chunk_mb = request.chunks.target_mb;

  std::size_t offset = 0;
  for (std::size_t i : layout.order) {
    const FileSchema& s = scans[i].schema;
    plan.files.push_back(
        InputFile{s.path, s.size_bytes, s.mtime_ns, offset, layout.concat_lengths[i], layout.value_offsets[i]});
    offset += layout.concat_lengths[i];
  }
  const std::size_t concat_total = offset;

  ASSIGN_OR_RETURN(std::vector<std::string> selected, SelectVariables(first, request.variables));
  std::map<std::string, std::set<std::string>> string_dims;
  for (const auto& path : selected) {
    const VariableSchema& v = *first.FindVariable(path);
    if (!v.unsupported.empty()) {
      return InvalidInput("variable '" + path + "' in " + first.path + " cannot be converted: " + v.unsupported +
                          "; leave it out with --variables");
    }
    if (!string_dims.count(v.group)) string_dims[v.group] = StringDims(first, v.group);
    PlannedVariable p;
    p.group = v.group;
    p.name = v.name;
    p.type = v.type;
    p.dims = v.dims;
    p.shape = v.shape;
    p.attributes = v.attributes;
    p.input_chunks = v.storage_chunks;
    if (v.type == DataType::kChar && !v.dims.empty() && string_dims[v.group].count(v.dims.back())) {
      p.string_length = v.shape.back();
      p.dims.pop_back();
      p.shape.pop_back();
      if (!p.input_chunks.empty()) p.input_chunks.pop_back();
    }
    p.concat_axis = layout.concat_dim.empty() ? -1 : p.AxisOfDim(layout.concat_dim);
    if (p.concat_axis >= 0) p.shape[static_cast<std::size_t>(p.concat_axis)] = concat_total;
    plan.variables.push_back(std::move(p));
  }

  for (const auto& g : first.groups) {
    bool used = request.variables.empty();
    for (const auto& v : plan.variables) used = used || IsAncestorOrSelf(g.path, v.group);
    if (used) plan.groups.push_back(PlannedGroup{g.path, g.attributes});
  }

  RETURN_IF_ERROR(ChooseChunks(plan.variables, plan.concat_dim, request.chunks));
  plan.warnings = ChunkWarnings(plan);
  return plan;
}

}  // namespace nc2zarr
