// What `nc2zarr ls` and `nc2zarr rm` do with a destination.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

struct StoreSummary {
  std::vector<ObjectInfo> objects;
  std::uint64_t bytes = 0;
  bool is_store = false;  // holds Zarr metadata or nc2zarr's records
};

Result<StoreSummary> SummarizeStore(Store& store);

// Deletes every object of the store: the commit point (.zmetadata) and the
// root .zgroup first, so a half-deleted store is never opened as one, and
// nc2zarr's plan last, so a deletion cut short can be finished by running
// it again; several deletes run at once.
Status DeleteStore(Store& store, const StoreSummary& summary, int threads = 16);

}  // namespace nc2zarr
