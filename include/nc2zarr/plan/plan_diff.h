// What differs between the plan an interrupted run recorded and the plan of
// a rerun: the reason a rerun refuses to resume.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

// One line per difference; empty when the plans are the same job.
std::vector<std::string> DescribePlanChanges(const Plan& before, const Plan& now);

// A short hex fingerprint of a plan's JSON text.
std::string PlanFingerprint(const std::string& plan_json);

}  // namespace nc2zarr
