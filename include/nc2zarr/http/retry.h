// The one retry loop every remote request goes through, with separate
// policies for what may be retried (idempotency), when to stop (attempts,
// total time) and how long to wait (exponential backoff with full jitter,
// honouring Retry-After). The sleeper and clock are injected so tests never
// sleep. Credentials are refreshed inside this loop (ahead of expiry, and
// once after a 401), never in a nested one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/http/transport.h"

namespace nc2zarr {

class Credentials;

struct RetryOptions {
  int max_attempts = 12;
  std::chrono::milliseconds max_total{std::chrono::minutes(15)};
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{32000};
  double multiplier = 2.0;
};

// Time for the retry loop: real in production, fake in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
};
Clock& RealClock();

// 408, 429, 500, 502, 503, 504.
bool IsRetryableStatus(long status);

// Full jitter: a uniform wait in [0, min(max_backoff, initial * multiplier^retry)].
class Backoff {
 public:
  explicit Backoff(const RetryOptions& options, std::uint64_t seed);
  std::chrono::milliseconds Next();

 private:
  RetryOptions options_;
  double ceiling_ms_;
  std::mt19937_64 rng_;
};

struct RetryCounters {
  std::uint64_t retries = 0;        // attempts after the first
  std::uint64_t refreshes = 0;      // credential refreshes after a 401
};

// One try at a request: the Authorization header value ("" for none) in,
// a response or a transport error out.
using Attempt = std::function<Result<HttpResponse>(const std::string& authorization)>;

// Runs attempt until it gives a response that is not retryable, or the
// budget is spent. A non-idempotent request is tried once (a 401 refresh
// excepted, as it never reached the handler). Returns the last response
// (the caller interprets 4xx) or the last transport error, with `what`
// (e.g. "uploading gs://b/o") in front of the message.
Result<HttpResponse> RetryLoop(const RetryOptions& options, Clock& clock, Credentials* credentials,
                               bool idempotent, const std::string& what, const Attempt& attempt,
                               RetryCounters* counters = nullptr);

}  // namespace nc2zarr
