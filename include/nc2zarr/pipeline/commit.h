// The last step, on rank 0 once every rank succeeded: check that every
// chunk is stored as journaled, then write the metadata, the consolidated
// .zmetadata last. Before that object exists, no reader opens the store.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/pipeline/dataset_metadata.h"
#include "nc2zarr/pipeline/run_state.h"
#include "nc2zarr/plan/plan.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

// Checks every chunk against the journals, keeps their record in the store
// (.nc2zarr/journal.log, so status and a repair work from any directory,
// whatever --journal-dir was), then writes the metadata that opens it.
Status CommitStore(const Plan& plan, const RunState& state, Store& store, const std::string& journal_dir, int threads);

// Writes the metadata objects: those that open nothing (arrays' metadata,
// groups' attributes) on `threads` writers at once; then, one by one in the
// given order and each after a Store::Sync, every .zgroup and the .zmetadata.
Status WriteDatasetMetadata(const std::vector<MetadataObject>& objects, Store& store, int threads);

}  // namespace nc2zarr
