// The human-readable description `nc2zarr plan` prints.
#pragma once

#include <string>

#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

// Lists the first and last 10 input files of more than 21 unless every_file.
std::string DescribePlan(const Plan& plan, bool every_file = false);

}  // namespace nc2zarr
