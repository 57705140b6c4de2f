// The chunks to write, in the order ranks take them: by position along the
// concat dimension first, so the chunks that read the same input files are
// written close together in time (open files stay cached).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

struct WorkItem {
  std::uint32_t variable;  // index into plan.variables
  std::uint64_t chunk;     // linear chunk number within the variable
};

// The chunks of coordinate variables go to root_items: rank 0 writes them
// (they are small, and one writer per object is what GCS handles best);
// the rest are shared through the work queue.
struct WorkList {
  std::vector<WorkItem> root_items;
  std::vector<WorkItem> shared_items;
};

WorkList MakeWorkList(const Plan& plan);

}  // namespace nc2zarr
