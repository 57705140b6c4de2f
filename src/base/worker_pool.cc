#include "nc2zarr/base/worker_pool.h"

#include <algorithm>

namespace nc2zarr {

WorkerPool::WorkerPool(std::size_t threads) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i) threads_.emplace_back([this, i] { Run(i); });
}

WorkerPool::~WorkerPool() { (void)Finish(); }

bool WorkerPool::Add(Task task) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !first_error_.ok() || busy_ + waiting_.size() < threads_.size(); });
  if (!first_error_.ok()) return false;
  waiting_.push_back(std::move(task));
  changed_.notify_all();
  return true;
}

Status WorkerPool::Finish() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  return first_error_;
}

void WorkerPool::Run(std::size_t worker) {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return !waiting_.empty() || closing_; });
    if (waiting_.empty()) return;  // closing, nothing left
    Task task = std::move(waiting_.front());
    waiting_.pop_front();
    if (!first_error_.ok()) continue;  // drop what a failure made pointless
    ++busy_;
    lock.unlock();
    Status st = task(worker);
    task = nullptr;  // what it captured goes before the next one starts
    lock.lock();
    --busy_;
    if (!st.ok() && first_error_.ok()) first_error_ = st;
    changed_.notify_all();
  }
}

}  // namespace nc2zarr
