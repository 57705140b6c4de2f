#include "nc2zarr/pipeline/store_admin.h"

#include <gtest/gtest.h>

#include <mutex>

#include "nc2zarr/pipeline/destination.h"
#include "testing/stub_store.h"

namespace nc2zarr {
namespace {

// Records the order of deletes; fails every delete after the first `allowed`,
// as a run killed part-way through a deletion stops.
class DeleteRecorder : public fakes::StubStore {
 public:
  explicit DeleteRecorder(std::size_t allowed) : allowed_(allowed) {}
  Status Write(const std::string&, std::span<const std::byte>, const WriteOptions&) override { return Status::Ok(); }
  Status Delete(const std::string& key) override {
    std::lock_guard lock(mutex_);
    if (deleted.size() >= allowed_) return Status(ErrorCode::kUnavailable, "stopped");
    deleted.push_back(key);
    return Status::Ok();
  }
  std::vector<std::string> deleted;

 private:
  std::mutex mutex_;
  std::size_t allowed_;
};

StoreSummary AStore() {
  StoreSummary s;
  for (const char* key : {".nc2zarr/plan.json", ".zattrs", ".zgroup", ".zmetadata", "tas/.zarray", "tas/0.0",
                          "tas/1.0", "time/.zarray", "time/0"}) {
    s.objects.push_back(ObjectInfo{key, 1, std::nullopt});
  }
  s.is_store = true;
  return s;
}

TEST(DeleteStore, RemovesTheCommitPointAndRootGroupFirstAndThePlanLast) {
  DeleteRecorder store(1000);
  ASSERT_TRUE(DeleteStore(store, AStore(), 1).ok());
  ASSERT_EQ(store.deleted.size(), 9u);
  EXPECT_EQ(store.deleted[0], ".zmetadata");
  EXPECT_EQ(store.deleted[1], ".zgroup");
  EXPECT_EQ(store.deleted.back(), kPlanKey);
}

TEST(DeleteStore, ADeletionCutShortKeepsThePlanSoItCanBeFinished) {
  DeleteRecorder store(4);
  EXPECT_FALSE(DeleteStore(store, AStore(), 2).ok());
  EXPECT_EQ(store.deleted.size(), 4u);
  EXPECT_EQ(store.deleted[0], ".zmetadata");
  EXPECT_EQ(store.deleted[1], ".zgroup");
  for (const auto& key : store.deleted) EXPECT_NE(key, kPlanKey);
}

}  // namespace
}  // namespace nc2zarr
