// `nc2zarr status DEST`: how far a conversion has got.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

struct JobStatus {
  std::string text;      // what `nc2zarr status` prints
  bool committed = false;  // .zmetadata is written
  bool damaged = false;    // committed, yet planned chunks are missing or differ
};

// Chunks and bytes stored (journaled and listed) out of the plan, per
// variable, and whether the store is committed.
Result<JobStatus> DescribeJobStatus(Store& store, const std::string& journal_dir);

}  // namespace nc2zarr
