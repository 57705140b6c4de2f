#include <atomic>
#include <mutex>

#include "nc2zarr/mpi/comm.h"

namespace nc2zarr {
namespace {

class SerialQueue final : public WorkQueue {
 public:
  explicit SerialQueue(std::size_t total) : total_(total) {}
  std::optional<std::pair<std::size_t, std::size_t>> Next() override {
    if (aborted_ || next_ >= total_) return std::nullopt;
    std::size_t begin = next_++;
    return std::make_pair(begin, begin + 1);
  }
  void Abort() override { aborted_ = true; }
  void Finish() override {}
  void ReportProgress(const WorkProgress& mine) override {
    std::lock_guard lock(mutex_);
    progress_ = mine;
  }
  WorkProgress JobProgress() const override {
    std::lock_guard lock(mutex_);
    return progress_;
  }

 private:
  mutable std::mutex mutex_;
  WorkProgress progress_;
  std::size_t total_;
  std::size_t next_ = 0;
  bool aborted_ = false;
};

class SerialComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int ranks_on_node() const override { return 1; }
  void Broadcast(std::string&, int) override {}
  bool AllTrue(bool value) override { return value; }
  double SumDouble(double value) override { return value; }
  std::vector<std::string> Gather(const std::string& data, int) override { return {data}; }
  std::unique_ptr<WorkQueue> StartWorkQueue(std::size_t total) override { return std::make_unique<SerialQueue>(total); }
};

}  // namespace

std::unique_ptr<Comm> MakeSerialComm() { return std::make_unique<SerialComm>(); }

}  // namespace nc2zarr
