// The ranks of a job, as the rest of the code sees them. Library code gets a
// Comm passed in; only the MPI implementation touches MPI, so unit tests run
// on the serial one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nc2zarr {

// How far one rank (or the whole job) has got.
struct WorkProgress {
  std::uint64_t items = 0;      // chunks written
  std::uint64_t bytes_in = 0;   // raw bytes read
  std::uint64_t bytes_out = 0;  // compressed bytes written
  WorkProgress& operator+=(const WorkProgress& o) {
    items += o.items;
    bytes_in += o.bytes_in;
    bytes_out += o.bytes_out;
    return *this;
  }
};

// Hands out ranges of item numbers [begin, end) to ranks on demand, so a
// rank that gets slow chunks simply takes fewer of them. Requests also carry
// each rank's progress to rank 0, which shows the job's.
class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  // This rank's progress so far; sent with its next request.
  virtual void ReportProgress(const WorkProgress& mine) = 0;
  // On rank 0: the job's progress as last reported (its own included).
  virtual WorkProgress JobProgress() const = 0;
  // The next range for this rank; nullopt when all items are taken or the
  // job is stopping. Call until it returns nullopt (or after Abort).
  virtual std::optional<std::pair<std::size_t, std::size_t>> Next() = 0;
  // This rank failed: no rank takes new work after its current item.
  virtual void Abort() = 0;
  // Collective: every rank calls it once it is done with the queue.
  virtual void Finish() = 0;
};

class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks sharing this rank's node (this one included): they share its cores.
  virtual int ranks_on_node() const = 0;
  // data on root is copied to every rank.
  virtual void Broadcast(std::string& data, int root) = 0;
  // True on every rank when value is true on every rank.
  virtual bool AllTrue(bool value) = 0;
  // Sum over ranks, on every rank.
  virtual double SumDouble(double value) = 0;
  // Root receives every rank's data in rank order; other ranks get {}.
  virtual std::vector<std::string> Gather(const std::string& data, int root) = 0;
  // Collective: a queue over items [0, total).
  virtual std::unique_ptr<WorkQueue> StartWorkQueue(std::size_t total) = 0;
};

// One rank, no MPI: for unit tests and single-process tools.
std::unique_ptr<Comm> MakeSerialComm();

}  // namespace nc2zarr
