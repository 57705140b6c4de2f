#include "nc2zarr/mpi/mpi_comm.h"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "nc2zarr/mpi/fabric_probes.h"
#include "nc2zarr/mpi/pmix_server_socket.h"

namespace nc2zarr {
namespace {

constexpr int kRequestTag = 7001;
constexpr int kGrantTag = 7002;
constexpr int kGatherTag = 7003;
// MPI counts are int: payloads above this travel in pieces.
constexpr std::size_t kPiece = std::size_t{1} << 30;
int PieceAt(std::size_t at, std::size_t total) { return static_cast<int>(std::min(kPiece, total - at)); }
// Waits poll with pauses that back off while nothing comes: every wake-up
// takes time from the work on that core, and the answer waits at most
// kLongestPause, little next to a batch of chunks or a peer's last uploads.
constexpr std::chrono::microseconds kFirstPause{100};
constexpr std::chrono::microseconds kLongestPause{2000};

// Waits for a non-blocking operation without spinning: Open MPI's blocking
// calls poll a core flat out, which a rank waiting for a slower peer would
// take from that peer's upload threads, or from a local server or another
// job on the node (measured: ~70 ms of rank 1's CPU at the end of a 2-rank
// upload to the GCS test server).
void AwaitPolitely(MPI_Request& request, MPI_Status* status = MPI_STATUS_IGNORE) {
  auto pause = kFirstPause;
  int done = 0;
  while (MPI_Test(&request, &done, status), !done) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, kLongestPause);
  }
}

// Dynamic work distribution. Rank 0 owns the counter; a dispatcher thread on
// rank 0 answers the other ranks' requests while rank 0's main thread works
// too. The thread polls with a short sleep instead of a blocking receive,
// which in Open MPI would spin and take a core from the real work.
class MpiQueue final : public WorkQueue {
 public:
  MpiQueue(MPI_Comm parent, std::size_t total) : total_(total) {
    MPI_Comm_dup(parent, &comm_);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    progress_.resize(static_cast<std::size_t>(size_));
    if (rank_ == 0 && size_ > 1) dispatcher_ = std::thread([this] { Dispatch(); });
  }

  std::optional<std::pair<std::size_t, std::size_t>> Next() override {
    if (rank_ == 0) return Take();
    if (done_) return std::nullopt;
    return Ask(0);
  }

  void ReportProgress(const WorkProgress& mine) override {
    std::lock_guard lock(mutex_);
    mine_ = mine;
    if (rank_ == 0) progress_[0] = mine;
  }

  WorkProgress JobProgress() const override {
    std::lock_guard lock(mutex_);
    WorkProgress sum;
    for (const auto& p : progress_) sum += p;
    return rank_ == 0 ? sum : mine_;
  }

  void Abort() override {
    if (rank_ == 0) {
      aborted_ = true;
    } else if (!done_) {
      Ask(1);
    }
  }

  void Finish() override {
    if (dispatcher_.joinable()) dispatcher_.join();
    // A rank's chunk threads may finish items after its last request, so
    // the final figures travel here, and rank 0's are the job's totals.
    unsigned long long mine[3];
    {
      std::lock_guard lock(mutex_);
      mine[0] = mine_.items;
      mine[1] = mine_.bytes_in;
      mine[2] = mine_.bytes_out;
    }
    std::vector<unsigned long long> all(rank_ == 0 ? 3 * static_cast<std::size_t>(size_) : 0);
    MPI_Request request;
    MPI_Igather(mine, 3, MPI_UNSIGNED_LONG_LONG, all.data(), 3, MPI_UNSIGNED_LONG_LONG, 0, comm_, &request);
    AwaitPolitely(request);
    if (rank_ == 0) {
      std::lock_guard lock(mutex_);
      for (std::size_t r = 0; r < progress_.size(); ++r) {
        progress_[r] = WorkProgress{all[3 * r], all[3 * r + 1], all[3 * r + 2]};
      }
    }
    MPI_Comm_free(&comm_);
  }

 private:
  std::optional<std::pair<std::size_t, std::size_t>> Take() {
    std::lock_guard lock(mutex_);
    if (aborted_ || next_ >= total_) return std::nullopt;
    // Guided batches: large while much remains, single items at the end.
    std::size_t remaining = total_ - next_;
    std::size_t batch = std::clamp<std::size_t>(remaining / (4 * static_cast<std::size_t>(size_)), 1, 64);
    std::size_t begin = next_;
    next_ += batch;
    return std::make_pair(begin, begin + batch);
  }

  // A request: {failed, items, bytes in, bytes out}.
  std::optional<std::pair<std::size_t, std::size_t>> Ask(unsigned long long failed) {
    unsigned long long request[4] = {failed, 0, 0, 0};
    {
      std::lock_guard lock(mutex_);
      request[1] = mine_.items;
      request[2] = mine_.bytes_in;
      request[3] = mine_.bytes_out;
    }
    MPI_Send(request, 4, MPI_UNSIGNED_LONG_LONG, 0, kRequestTag, comm_);
    unsigned long long grant[2] = {0, 0};
    MPI_Recv(grant, 2, MPI_UNSIGNED_LONG_LONG, 0, kGrantTag, comm_, MPI_STATUS_IGNORE);
    if (grant[0] == grant[1]) {
      done_ = true;
      return std::nullopt;
    }
    return std::make_pair(static_cast<std::size_t>(grant[0]), static_cast<std::size_t>(grant[1]));
  }

  void Dispatch() {
    int waiting = size_ - 1;  // ranks that have not yet been told "no more work"
    while (waiting > 0) {
      unsigned long long message[4] = {0, 0, 0, 0};
      MPI_Request request;
      MPI_Irecv(message, 4, MPI_UNSIGNED_LONG_LONG, MPI_ANY_SOURCE, kRequestTag, comm_, &request);
      MPI_Status status;
      AwaitPolitely(request, &status);
      if (message[0]) aborted_ = true;
      {
        std::lock_guard lock(mutex_);
        progress_[static_cast<std::size_t>(status.MPI_SOURCE)] = WorkProgress{message[1], message[2], message[3]};
      }
      auto range = Take();
      unsigned long long grant[2] = {0, 0};
      if (range) {
        grant[0] = range->first;
        grant[1] = range->second;
      } else {
        --waiting;
      }
      MPI_Send(grant, 2, MPI_UNSIGNED_LONG_LONG, status.MPI_SOURCE, kGrantTag, comm_);
    }
  }

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  std::size_t total_;
  mutable std::mutex mutex_;
  std::size_t next_ = 0;
  WorkProgress mine_;
  std::vector<WorkProgress> progress_;  // rank 0: the latest report of each rank
  std::atomic<bool> aborted_{false};
  bool done_ = false;
  std::thread dispatcher_;
};

// Without thread support the items are dealt round-robin instead.
class StaticQueue final : public WorkQueue {
 public:
  StaticQueue(int rank, int size, std::size_t total) : next_(static_cast<std::size_t>(rank)), step_(static_cast<std::size_t>(size)), total_(total) {}
  std::optional<std::pair<std::size_t, std::size_t>> Next() override {
    if (aborted_ || next_ >= total_) return std::nullopt;
    std::size_t i = next_;
    next_ += step_;
    return std::make_pair(i, i + 1);
  }
  void Abort() override { aborted_ = true; }
  void Finish() override {}
  // Without a dispatcher there are no reports to gather: own progress only.
  void ReportProgress(const WorkProgress& mine) override {
    std::lock_guard lock(mutex_);
    mine_ = mine;
  }
  WorkProgress JobProgress() const override {
    std::lock_guard lock(mutex_);
    return mine_;
  }

 private:
  mutable std::mutex mutex_;
  WorkProgress mine_;
  std::size_t next_, step_, total_;
  bool aborted_ = false;
};

class MpiComm final : public Comm {
 public:
  explicit MpiComm(bool threads) : threads_(threads) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &ranks_on_node_);
    MPI_Comm_free(&node);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int ranks_on_node() const override { return ranks_on_node_; }

  void Broadcast(std::string& data, int root) override {
    // The size comes when the root is ready (the wait); the payload then flows.
    unsigned long long n = data.size();
    MPI_Request request;
    MPI_Ibcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD, &request);
    AwaitPolitely(request);
    data.resize(n);
    // MPI counts are int: send large payloads in pieces.
    for (std::size_t at = 0; at < n; at += kPiece) {
      MPI_Bcast(data.data() + at, PieceAt(at, n), MPI_CHAR, root, MPI_COMM_WORLD);
    }
  }

  bool AllTrue(bool value) override {
    int in = value ? 1 : 0, out = 0;
    MPI_Request request;
    MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD, &request);
    AwaitPolitely(request);
    return out != 0;
  }

  double SumDouble(double value) override {
    double out = 0;
    MPI_Request request;
    MPI_Iallreduce(&value, &out, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &request);
    AwaitPolitely(request);
    return out;
  }

  // Point to point in pieces: MPI_Gatherv counts and displacements are
  // int, and the scans of many thousands of files can pass 2 GiB in total.
  std::vector<std::string> Gather(const std::string& data, int root) override {
    unsigned long long len = data.size();
    std::vector<unsigned long long> lens(rank_ == root ? size_ : 0);
    MPI_Request request;
    MPI_Igather(&len, 1, MPI_UNSIGNED_LONG_LONG, lens.data(), 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD,
                &request);
    AwaitPolitely(request);
    std::vector<std::string> out;
    if (rank_ != root) {
      for (std::size_t at = 0; at < data.size(); at += kPiece) {
        MPI_Send(data.data() + at, PieceAt(at, data.size()), MPI_CHAR, root, kGatherTag, MPI_COMM_WORLD);
      }
      return out;
    }
    out.resize(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      std::string& text = out[static_cast<std::size_t>(r)];
      if (r == root) {
        text = data;
        continue;
      }
      text.resize(lens[static_cast<std::size_t>(r)]);
      for (std::size_t at = 0; at < text.size(); at += kPiece) {
        MPI_Recv(text.data() + at, PieceAt(at, text.size()), MPI_CHAR, r, kGatherTag, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
      }
    }
    return out;
  }

  std::unique_ptr<WorkQueue> StartWorkQueue(std::size_t total) override {
    if (!threads_) return std::make_unique<StaticQueue>(rank_, size_, total);
    return std::make_unique<MpiQueue>(MPI_COMM_WORLD, total);
  }

 private:
  bool threads_;
  int rank_ = 0;
  int size_ = 1;
  int ranks_on_node_ = 1;
};

}  // namespace

bool StartedByAnMpiLauncher(const std::function<const char*(const char*)>& getenv) {
  // mpirun (Open MPI), srun --mpi=pmix or any PMIx launcher, PMI-1/2 launchers.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMIX_NAMESPACE", "PMI_RANK", "PMI_SIZE"}) {
    if (getenv(name) != nullptr) return true;
  }
  return false;
}

int NonMpiSrunTasks(const std::function<const char*(const char*)>& getenv) {
  if (StartedByAnMpiLauncher(getenv)) return 0;
  // srun sets it for each task of a step; a batch script's own shell (one
  // process, SLURM_NTASKS for the whole job) has none.
  const char* tasks = getenv("SLURM_STEP_NUM_TASKS");
  const int n = tasks ? std::atoi(tasks) : 0;
  return n > 1 ? n : 0;
}

int LauncherRank(const std::function<const char*(const char*)>& getenv) {
  // SLURM_PROCID last: srun without an MPI plugin starts tasks that are not ranks.
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* value = getenv(name)) return std::atoi(value);
  }
  return 0;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  // Started on its own, the process is one rank without MPI: Open MPI's
  // singleton start forks a helper daemon, and its finalize crashed now
  // and then (SIGSEGV in the progress thread, after the work was done).
  if (!StartedByAnMpiLauncher([](const char* name) { return std::getenv(name); })) {
    world_ = MakeSerialComm();
    return;
  }
  SkipAbsentFabricProbes();
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
  DisableNagleTowardsPmixServer();
  world_ = std::make_unique<MpiComm>(provided >= MPI_THREAD_SERIALIZED);
  mpi_initialized_ = true;
}

MpiSession::~MpiSession() {
  world_.reset();
  if (mpi_initialized_) MPI_Finalize();
}

void MpiSession::Abort(int exit_code) {
  if (mpi_initialized_) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

}  // namespace nc2zarr
