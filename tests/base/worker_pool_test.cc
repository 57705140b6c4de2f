#include "nc2zarr/base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>

namespace nc2zarr {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPool, RunsEveryTaskOnAThreadOfItsOwnIndex) {
  WorkerPool pool(3);
  std::mutex mutex;
  std::multiset<int> done;
  std::set<std::size_t> workers;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pool.Add([&, i](std::size_t worker) {
      std::lock_guard lock(mutex);
      done.insert(i);
      workers.insert(worker);
      return Status::Ok();
    }));
  }
  ASSERT_TRUE(pool.Finish().ok());
  EXPECT_EQ(done.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(done.count(i), 1u) << i;
  for (std::size_t w : workers) EXPECT_LT(w, 3u);
}

TEST(WorkerPool, TasksRunAtTheSameTime) {
  // Three tasks that each wait for all three to have started: they finish
  // only if three threads run them at once.
  WorkerPool pool(3);
  std::atomic<int> started{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.Add([&](std::size_t) {
      ++started;
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (started < 3) {
        if (std::chrono::steady_clock::now() > deadline) return Internal("the tasks did not run together");
        std::this_thread::sleep_for(1ms);
      }
      return Status::Ok();
    }));
  }
  EXPECT_TRUE(pool.Finish().ok());
}

TEST(WorkerPool, AddWaitsWhileEveryThreadIsBusy) {
  WorkerPool pool(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> running{0}, most{0};
  auto blocking = [&](std::size_t) {
    int now = ++running;
    most = std::max(most.load(), now);
    released.wait();
    --running;
    return Status::Ok();
  };
  ASSERT_TRUE(pool.Add(blocking));
  ASSERT_TRUE(pool.Add(blocking));
  auto third = std::async(std::launch::async, [&] { return pool.Add(blocking); });
  EXPECT_EQ(third.wait_for(200ms), std::future_status::timeout) << "a third task was taken with both threads busy";
  release.set_value();
  EXPECT_TRUE(third.get());
  EXPECT_TRUE(pool.Finish().ok());
  EXPECT_EQ(most.load(), 2);
}

TEST(WorkerPool, TheFirstFailureStopsTheRest) {
  WorkerPool pool(1);
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.Add([&](std::size_t) {
    ++ran;
    return InvalidInput("chunk t2m/3.0.0: input a.nc is truncated");
  }));
  // Once the failure is seen, Add refuses; tasks already queued are dropped.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = !pool.Add([&](std::size_t) {
      ++ran;
      std::this_thread::sleep_for(1ms);
      return Status::Ok();
    });
  }
  EXPECT_TRUE(refused);
  Status st = pool.Finish();
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(st.message(), "chunk t2m/3.0.0: input a.nc is truncated");
  EXPECT_EQ(ran.load(), 1);  // the one thread was busy failing: nothing else was taken
}

TEST(WorkerPool, FinishWaitsForTasksInFlight) {
  std::atomic<bool> finished{false};
  WorkerPool pool(2);
  ASSERT_TRUE(pool.Add([&](std::size_t) {
    std::this_thread::sleep_for(100ms);
    finished = true;
    return Status::Ok();
  }));
  EXPECT_TRUE(pool.Finish().ok());
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace nc2zarr
