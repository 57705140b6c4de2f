#include "nc2zarr/pipeline/store_admin.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {

Result<StoreSummary> SummarizeStore(Store& store) {
  StoreSummary summary;
  ASSIGN_OR_RETURN(summary.objects, store.List(""));
  for (const auto& o : summary.objects) {
    summary.bytes += o.size;
    summary.is_store = summary.is_store || o.key == kZmetadata || o.key == kZgroup || o.key.rfind(".nc2zarr/", 0) == 0;
  }
  return summary;
}

Status DeleteStore(Store& store, const StoreSummary& summary, int threads) {
  // The commit point first, then the root group, so that no reader opens
  // what is left; the plan last, so that a deletion cut short still looks
  // like a store to `rm` and `convert --overwrite`, which finish it.
  RETURN_IF_ERROR(store.Delete(kZmetadata));
  RETURN_IF_ERROR(store.Delete(kZgroup));
  std::vector<std::string> rest;
  for (const auto& o : summary.objects) {
    if (o.key != kZmetadata && o.key != kZgroup && o.key != kPlanKey) rest.push_back(o.key);
  }
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  Status first_error;
  auto work = [&] {
    for (std::size_t i = next++; i < rest.size(); i = next++) {
      Status st = store.Delete(rest[i]);
      if (!st.ok()) {
        std::lock_guard lock(mutex);
        if (first_error.ok()) first_error = st;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  RETURN_IF_ERROR(first_error);
  return store.Delete(kPlanKey);
}

}  // namespace nc2zarr
