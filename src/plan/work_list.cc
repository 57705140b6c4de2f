#include "nc2zarr/plan/work_list.h"

#include <algorithm>
#include <tuple>

namespace nc2zarr {

WorkList MakeWorkList(const Plan& plan) {
  struct Keyed {
    std::size_t concat_start;
    WorkItem item;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(plan.total_chunks());
  for (std::size_t v = 0; v < plan.variables.size(); ++v) {
    const PlannedVariable& var = plan.variables[v];
    const std::size_t n = var.chunk_count();
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t start = 0;
      if (var.concat_axis >= 0) start = ChunkAt(var, k).start[static_cast<std::size_t>(var.concat_axis)];
      keyed.push_back({start, WorkItem{static_cast<std::uint32_t>(v), k}});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const Keyed& a, const Keyed& b) { return a.concat_start < b.concat_start; });
  // Once a variable, not once a chunk: each answer reads every variable's
  // coordinates attribute, and a plan can hold 100,000 chunks of 250 variables.
  std::vector<bool> coordinate(plan.variables.size());
  for (std::size_t v = 0; v < plan.variables.size(); ++v) coordinate[v] = plan.IsCoordinate(plan.variables[v]);
  WorkList work;
  for (const auto& k : keyed) {
    (coordinate[k.item.variable] ? work.root_items : work.shared_items).push_back(k.item);
  }
  return work;
}

}  // namespace nc2zarr
