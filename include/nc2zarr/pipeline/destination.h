// Rank 0's look at the destination before any chunk is written: a fresh
// start, a resume of an interrupted run of the same plan, a finished job,
// or a refusal that says why.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/pipeline/run_state.h"
#include "nc2zarr/plan/plan.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

inline constexpr const char* kPlanKey = ".nc2zarr/plan.json";
inline constexpr const char* kJournalMirrorKey = ".nc2zarr/journal.log";

struct DestinationPolicy {
  bool overwrite = false;  // replace whatever store is there
  bool resume = true;      // continue an interrupted run of the same plan
  std::string journal_dir;
  int threads = 4;  // reading kept chunks back on a resume
};

// Decides, cleans up what must go, records the plan (before any chunk) and
// probes that the destination takes writes. Returns the state every rank
// starts from.
Result<RunState> PrepareDestination(const Plan& plan, Store& store, const DestinationPolicy& policy);

// Where journals live: beside a local store (in its .nc2zarr/), or for a
// remote one in --journal-dir, by default under the current directory (the
// directory a batch job is submitted from).
std::string JournalDirectory(const std::string& output, const std::string& flag);

}  // namespace nc2zarr
