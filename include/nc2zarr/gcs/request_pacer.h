// Paces one rank's object writes so that a job of thousands of ranks ramps
// up its request rate gradually, as GCS asks for a new bucket (about 1,000
// writes/s at first, doubling at most every 20 minutes). Each rank gets its
// share of the job's rate.
#pragma once

#include <chrono>
#include <mutex>

#include "nc2zarr/http/retry.h"

namespace nc2zarr {

struct PacerOptions {
  double initial_job_rate = 1000;                      // writes per second, all ranks together
  std::chrono::seconds doubling_period{20 * 60};
  int ranks = 1;
};

class RequestPacer {
 public:
  RequestPacer(const PacerOptions& options, Clock& clock = RealClock());
  // Blocks until this rank may send one more write.
  void Acquire();
  // This rank's current rate limit, writes per second.
  double Rate() const;

 private:
  PacerOptions options_;
  Clock& clock_;
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point next_slot_;
};

}  // namespace nc2zarr
