#include "nc2zarr/pipeline/object_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "testing/stub_store.h"

namespace nc2zarr {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMiB = std::size_t{1} << 20;

// A destination whose writes wait until the test opens the gate: a stalled
// network, made deterministic.
class GatedStore final : public fakes::StubStore {
 public:
  Status Write(const std::string&, std::span<const std::byte> data, const WriteOptions&) override {
    std::unique_lock lock(mutex_);
    ++writing_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    --writing_;
    stored_bytes_ += data.size();
    return Status::Ok();
  }

  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // Waits (up to 10 s) until n writes are waiting at the gate.
  bool WaitForWriting(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return writing_ == n; });
  }
  std::size_t stored_bytes() {
    std::lock_guard lock(mutex_);
    return stored_bytes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int writing_ = 0;
  std::size_t stored_bytes_ = 0;
};

ByteBuffer Object(std::size_t size) { return ByteBuffer(size, std::byte{7}); }

// Submits `count` objects of `size` bytes from another thread while the
// gate is shut; returns how many Submit calls returned within a pause.
int SubmittedWhileStalled(GatedStore& store, ObjectWriter& writer, int count, std::size_t size, int writing) {
  std::atomic<int> submitted{0};
  std::thread producer([&] {
    for (int i = 0; i < count; ++i) {
      EXPECT_TRUE(writer.Submit("k" + std::to_string(i), Object(size), 0).ok());
      ++submitted;
    }
  });
  EXPECT_TRUE(store.WaitForWriting(writing));
  std::this_thread::sleep_for(200ms);  // room for any Submit that should not return
  const int while_stalled = submitted.load();
  store.Open();
  producer.join();
  EXPECT_TRUE(writer.Finish().ok());
  EXPECT_EQ(store.stored_bytes(), static_cast<std::size_t>(count) * size);
  return while_stalled;
}

TEST(ObjectWriterTest, ThreadsAndOneQueuedObjectWhenTheBudgetIsLarge) {
  GatedStore store;
  ObjectWriter writer(store, 4, 1, 100 * kMiB);
  // 4 writes at the gate and 1 more queued; the 6th Submit waits.
  EXPECT_EQ(SubmittedWhileStalled(store, writer, 8, kMiB, 4), 5);
  EXPECT_EQ(writer.peak_bytes_held(), 5 * kMiB);
}

TEST(ObjectWriterTest, TheByteBudgetStopsSubmitBeforeTheThreadsRunOut) {
  GatedStore store;
  ObjectWriter writer(store, 4, 1, 3 * kMiB);
  // Only 3 objects of 1 MiB fit in 3 MiB, though 4 threads are free.
  EXPECT_EQ(SubmittedWhileStalled(store, writer, 8, kMiB, 3), 3);
  EXPECT_EQ(writer.peak_bytes_held(), 3 * kMiB);
}

TEST(ObjectWriterTest, AnObjectLargerThanTheBudgetGoesThroughAlone) {
  GatedStore store;
  ObjectWriter writer(store, 4, 1, kMiB);
  // The first is let through, the second waits for it to be written.
  EXPECT_EQ(SubmittedWhileStalled(store, writer, 3, 2 * kMiB, 1), 1);
  EXPECT_EQ(writer.peak_bytes_held(), 2 * kMiB);
}

TEST(ObjectWriterTest, BuffersKeptForReuseFitTheBudget) {
  for (std::size_t budget : {std::size_t{2} * kMiB + kMiB / 2, std::size_t{100} * kMiB}) {
    GatedStore store;
    store.Open();
    ObjectWriter writer(store, 4, 1, budget);
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(writer.Submit("k" + std::to_string(i), Object(kMiB), 0).ok());
    ASSERT_TRUE(writer.Finish().ok());
    int reused = 0;
    while (writer.TakeBuffer().capacity() > 0) ++reused;
    // At most threads + 2 buffers are kept, and only as many as fit the budget.
    EXPECT_EQ(reused, budget < 3 * kMiB ? 2 : 6) << "budget " << budget;
  }
}

// A destination that fills up after some writes, as a disk does.
class FillingStore final : public fakes::StubStore {
 public:
  explicit FillingStore(int room) : room_(room) {}
  Status Write(const std::string& key, std::span<const std::byte>, const WriteOptions&) override {
    if (room_-- <= 0) return IoError("cannot write " + key + ": No space left on device");
    return Status::Ok();
  }

 private:
  std::atomic<int> room_;
};

TEST(ObjectWriterTest, CountsOnlyWhatWasStored) {
  // The summary and --report say what a failed run really left stored.
  FillingStore store(3);
  ObjectWriter writer(store, 1, 1, 100 * kMiB);
  for (int i = 0; i < 5; ++i) {
    if (!writer.Submit("k" + std::to_string(i), Object(1000), 0).ok()) break;
  }
  EXPECT_EQ(writer.Finish().code(), ErrorCode::kIo);
  EXPECT_EQ(writer.objects_written(), 3u);
  EXPECT_EQ(writer.bytes_written(), 3000u);
}

TEST(ObjectWriterTest, ResizingAReusedBufferDoesNotZeroIt) {
  // The compressor resizes to its worst case and overwrites what it uses;
  // zeroing the rest would touch pages nobody needs.
  ByteBuffer b(4096, std::byte{9});
  b.resize(16);
  b.resize(4096);
  EXPECT_EQ(b[100], std::byte{9});
}

}  // namespace
}  // namespace nc2zarr
