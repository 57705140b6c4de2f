// Inputs must not change while they are converted: a file rewritten in place
// at the same offsets (classic or uncompressed data) would otherwise mix old
// and new values in a store that says it is complete.
#pragma once

#include "nc2zarr/base/status.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

// Compares the size and modification time of this rank's share of the
// inputs (files rank, rank + ranks, ...) with those the plan recorded.
Status CheckInputsUnchanged(const Plan& plan, int rank, int ranks);

}  // namespace nc2zarr
