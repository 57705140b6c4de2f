// The last step, on rank 0 once every rank succeeded: check that every
// chunk is stored as journaled, then write the metadata, the consolidated
// .zmetadata last. Before that object exists, no reader opens the store.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/pipeline/run_state.h"
#include "nc2zarr/plan/plan.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

Status CommitStore(const Plan& plan, const RunState& state, Store& store, const std::string& journal_dir,
                   bool mirror_journal);

}  // namespace nc2zarr
