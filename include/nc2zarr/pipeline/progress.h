// Progress on rank 0 from the first second: chunks done of total, bytes
// read and written, compression ratio, throughput and ETA. A live bar on a
// terminal, one line every few seconds in batch logs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "nc2zarr/mpi/comm.h"

namespace nc2zarr {

enum class ProgressMode { kAuto, kBar, kLines, kNone };

struct ProgressSnapshot {
  WorkProgress done;          // this run's work so far
  std::uint64_t total_items = 0;   // chunks this run has to write
  std::uint64_t total_bytes = 0;   // raw bytes this run has to read
  std::uint64_t skipped_items = 0; // stored by an earlier run
  double seconds = 0;
};

// One line: "chunks 120/400 (30.0%)  read 1.2 GB  wrote 800 MB  ratio 1.50  95.3 MB/s  ETA 0:00:42".
std::string RenderProgressLine(const ProgressSnapshot& s);
// A bar that fits `width` columns, for a terminal.
std::string RenderProgressBar(const ProgressSnapshot& s, int width);

class ProgressDisplay {
 public:
  // kAuto: a bar when stderr is a terminal, else lines. sample() is called
  // from the display's own thread.
  ProgressDisplay(ProgressMode mode, std::chrono::milliseconds interval, std::function<ProgressSnapshot()> sample);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;
  // Draws the final state and stops.
  void Stop();

 private:
  void Run();
  ProgressMode mode_;
  std::chrono::milliseconds interval_;
  std::function<ProgressSnapshot()> sample_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace nc2zarr
