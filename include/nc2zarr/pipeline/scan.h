// Rank 0's first step: look at every input file and make the plan. Nothing
// is written; every problem with the inputs is found here.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/plan/make_plan.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

Result<Plan> ScanAndPlan(const std::vector<std::string>& inputs, const PlanRequest& request);

}  // namespace nc2zarr
