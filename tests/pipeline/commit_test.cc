#include "nc2zarr/pipeline/commit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "testing/stub_store.h"

namespace nc2zarr {
namespace {

using namespace std::chrono_literals;

// Records the order of writes and syncs. The first `meet` writes wait for
// one another (up to 10 s), which only ends early if they run at once.
class RecordingStore final : public fakes::StubStore {
 public:
  explicit RecordingStore(int meet) : meet_(meet) {}

  Status Write(const std::string& key, std::span<const std::byte>, const WriteOptions& options) override {
    std::unique_lock lock(mutex_);
    events_.push_back("start " + key);
    if (arrived_ < meet_) {
      ++arrived_;
      most_at_once_ = std::max(most_at_once_, ++inside_);
      changed_.notify_all();
      changed_.wait_for(lock, 10s, [&] { return arrived_ == meet_; });
      --inside_;
    }
    EXPECT_TRUE(options.only_if_absent) << key;
    events_.push_back("end " + key);
    return Status::Ok();
  }
  Status Sync() override {
    std::lock_guard lock(mutex_);
    events_.push_back("sync");
    return Status::Ok();
  }

  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  int most_at_once() {
    std::lock_guard lock(mutex_);
    return most_at_once_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  const int meet_;
  int arrived_ = 0, inside_ = 0, most_at_once_ = 0;
  std::vector<std::string> events_;
};

std::vector<MetadataObject> Objects(const std::vector<std::string>& keys) {
  std::vector<MetadataObject> out;
  for (const auto& k : keys) out.push_back({k, "{\"key\": \"" + k + "\"}"});
  return out;
}

TEST(WriteDatasetMetadata, ArrayMetadataInParallelThenEachOpenerAloneAfterASync) {
  const std::vector<std::string> openers = {"g/.zgroup", ".zgroup", ".zmetadata"};
  const auto objects = Objects({"a/.zarray", "a/.zattrs", "b/.zarray", "b/.zattrs", "g/c/.zarray", "g/c/.zattrs",
                                "g/.zattrs", ".zattrs", "g/.zgroup", ".zgroup", ".zmetadata"});
  RecordingStore store(/*meet=*/4);
  ASSERT_TRUE(WriteDatasetMetadata(objects, store, 4).ok());
  EXPECT_EQ(store.most_at_once(), 4);  // one at a time would have been 1

  // After the last of the others ends: sync, opener, sync, opener, ... sync.
  const auto events = store.events();
  std::vector<std::string> tail;
  std::size_t last_other_end = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].starts_with("end ") && std::find(openers.begin(), openers.end(), events[i].substr(4)) == openers.end()) {
      last_other_end = i;
    }
  }
  tail.assign(events.begin() + static_cast<long>(last_other_end) + 1, events.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"sync", "start g/.zgroup", "end g/.zgroup", "sync", "start .zgroup",
                                            "end .zgroup", "sync", "start .zmetadata", "end .zmetadata", "sync"}));
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const std::string& e) { return e.starts_with("end "); }),
            static_cast<long>(objects.size()));
}

TEST(WriteDatasetMetadata, AFailedArrayWriteStopsBeforeAnyOpener) {
  class FailingStore final : public fakes::StubStore {
   public:
    Status Write(const std::string& key, std::span<const std::byte>, const WriteOptions&) override {
      std::lock_guard lock(mutex_);
      written.push_back(key);
      return key == "b/.zarray" ? Status(ErrorCode::kUnavailable, "b/.zarray: gone") : Status::Ok();
    }
    std::mutex mutex_;
    std::vector<std::string> written;
  } store;
  Status st = WriteDatasetMetadata(Objects({"a/.zarray", "b/.zarray", ".zattrs", ".zgroup", ".zmetadata"}), store, 2);
  EXPECT_EQ(st.code(), ErrorCode::kUnavailable);
  for (const auto& key : store.written) {
    EXPECT_NE(key, ".zgroup");
    EXPECT_NE(key, ".zmetadata");
  }
}

TEST(WriteDatasetMetadata, AFailedOpenerTakesBackTheOpenersWrittenBeforeIt) {
  // A full disk: the root .zgroup is written, the .zmetadata is not. Either
  // would open the store, so the .zgroups go again.
  class FullDiskStore final : public fakes::StubStore {
   public:
    Status Write(const std::string& key, std::span<const std::byte>, const WriteOptions&) override {
      std::lock_guard lock(mutex_);
      if (key == ".zmetadata") return Status(ErrorCode::kIo, "cannot write .zmetadata: No space left on device");
      present.insert(key);
      return Status::Ok();
    }
    Status Delete(const std::string& key) override {
      std::lock_guard lock(mutex_);
      present.erase(key);
      return Status::Ok();
    }
    std::mutex mutex_;
    std::set<std::string> present;
  } store;
  Status st = WriteDatasetMetadata(Objects({"a/.zarray", "g/.zattrs", "g/.zgroup", ".zgroup", ".zmetadata"}), store, 2);
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_EQ(store.present, (std::set<std::string>{"a/.zarray", "g/.zattrs"}));
}

}  // namespace
}  // namespace nc2zarr
