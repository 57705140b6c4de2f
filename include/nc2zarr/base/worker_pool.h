// A fixed set of threads that run tasks handed over one at a time. Add
// waits until a thread is free, so the caller never holds more work than
// the threads can start: a rank takes chunks from the job's queue only as
// fast as it can read them, and the other ranks get the rest.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

class WorkerPool {
 public:
  // worker is the running thread's index in [0, threads): tasks use it to
  // pick that thread's own state (open files, buffers, codec contexts).
  using Task = std::function<Status(std::size_t worker)>;

  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();  // Finish()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Hands task to the next free thread, waiting while all are busy. False,
  // without running it, once a task has failed: the caller stops adding.
  bool Add(Task task);

  // Waits for every task handed over (after a failure, tasks not yet
  // started are dropped); the first failure.
  Status Finish();

 private:
  void Run(std::size_t worker);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Task> waiting_;
  std::size_t busy_ = 0;
  bool closing_ = false;
  Status first_error_;
  std::vector<std::thread> threads_;
};

}  // namespace nc2zarr
