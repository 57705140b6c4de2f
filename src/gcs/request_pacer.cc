#include "nc2zarr/gcs/request_pacer.h"

#include <algorithm>
#include <cmath>

namespace nc2zarr {

RequestPacer::RequestPacer(const PacerOptions& options, Clock& clock)
    : options_(options), clock_(clock), start_(clock.Now()), next_slot_(start_) {}

double RequestPacer::Rate() const {
  double elapsed = std::chrono::duration<double>(clock_.Now() - start_).count();
  double period = static_cast<double>(std::max<long long>(1, options_.doubling_period.count()));
  double job_rate = options_.initial_job_rate * std::pow(2.0, elapsed / period);
  return std::max(0.1, job_rate / std::max(1, options_.ranks));
}

void RequestPacer::Acquire() {
  std::chrono::steady_clock::time_point slot;
  {
    std::lock_guard lock(mutex_);
    auto now = clock_.Now();
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / Rate()));
    // No credit piles up while idle beyond one interval: a burst stays small.
    slot = std::max(next_slot_, now - interval);
    next_slot_ = slot + interval;
  }
  auto now = clock_.Now();
  if (slot > now) clock_.Sleep(std::chrono::duration_cast<std::chrono::milliseconds>(slot - now));
}

}  // namespace nc2zarr
