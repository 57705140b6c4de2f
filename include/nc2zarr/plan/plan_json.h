// The plan as JSON: what rank 0 broadcasts and what is recorded at the
// destination, so a rerun can tell whether it is the same job.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

std::string PlanToJson(const Plan& plan);
Result<Plan> PlanFromJson(const std::string& text);

}  // namespace nc2zarr
