// What rank 0 tells every rank before any chunk is written: the plan, this
// run's id, and what an interrupted earlier run already stored.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct RunState {
  std::string plan_json;
  std::string fingerprint;
  std::string run_id;
  bool complete = false;     // the destination already holds this job's store
  std::vector<bool> done;    // per chunk, in work order (root items, then shared)
  std::map<std::string, std::string> sessions;  // uploads to continue, by key
  std::size_t resumed_chunks() const;
};

std::string RunStateToText(const RunState& state);
Result<RunState> RunStateFromText(const std::string& text);

}  // namespace nc2zarr
