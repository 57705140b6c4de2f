// The Zarr chunk shape of every variable: what the user asked for with
// --chunks, and for the other dimensions chunks near --target-chunk-mb.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

struct ChunkRequest {
  std::vector<std::pair<std::string, long long>> sizes;  // dim -> n, -1 for the whole dimension
  double target_mb = 100;
};

// Sets chunks on every variable. Dimensions not named by the request get one
// size for all variables that share them, chosen so the largest of those
// variables has chunks close to the target: the concat dimension shrinks
// first (whole fields per chunk), then the longest other dimension halves.
// 1-D coordinate variables are kept in one chunk when it fits the target.
Status ChooseChunks(std::vector<PlannedVariable>& variables, const std::string& concat_dim,
                    const ChunkRequest& request);

// Advice about a chosen chunking: chunks far from the target, and chunks
// that each need data from many input files.
std::vector<std::string> ChunkWarnings(const Plan& plan);

}  // namespace nc2zarr
