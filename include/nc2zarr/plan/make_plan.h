// From scanned files and their layout to the plan every rank executes.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/codec/compressor.h"
#include "nc2zarr/plan/chunking.h"
#include "nc2zarr/plan/combine.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

struct PlanRequest {
  std::string concat_dim;             // "" to detect
  std::vector<std::string> variables;  // empty for all
  std::vector<std::string> drop_variables;
  ChunkRequest chunks;
  CompressorSpec compressor;
};

Result<Plan> MakePlan(const std::vector<FileScan>& scans, const Layout& layout, const PlanRequest& request);

}  // namespace nc2zarr
