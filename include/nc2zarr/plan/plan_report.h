// The human-readable description `nc2zarr plan` prints.
#pragma once

#include <string>

#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

std::string DescribePlan(const Plan& plan);

}  // namespace nc2zarr
