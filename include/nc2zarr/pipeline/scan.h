// The first step: look at every input file and make the plan. Nothing is
// written; every problem with the inputs is found here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/plan/combine.h"
#include "nc2zarr/plan/make_plan.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

// One input file as the scan saw it: what planning needs from it.
struct ScannedFile {
  FileScan scan;
  // Content fingerprints of the small variables without an unlimited
  // dimension (they must be identical in every file), by path.
  std::map<std::string, std::uint64_t> fingerprints;
};

Result<ScannedFile> ScanFile(const std::string& path);

// Combines the scans (in input order) into the plan; may open files again
// to compare big variables that must be identical in every file.
Result<Plan> PlanFromScans(std::vector<ScannedFile> files, const PlanRequest& request);

}  // namespace nc2zarr
