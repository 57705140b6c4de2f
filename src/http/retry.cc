#include "nc2zarr/http/retry.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/base/redaction.h"

namespace nc2zarr {
namespace {

class SteadyClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }
  // In slices, so a backoff ends when the grace period after a signal does.
  void Sleep(std::chrono::milliseconds d) override {
    const auto end = std::chrono::steady_clock::now() + d;
    while (!AbandonRequested()) {
      const auto left = end - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
  }
};

// Retry-After in seconds (the HTTP-date form is not used by GCS).
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& r) {
  auto value = r.Header("retry-after");
  if (!value) return std::nullopt;
  char* end = nullptr;
  double seconds = std::strtod(value->c_str(), &end);
  if (end == value->c_str() || !(seconds >= 0)) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace

Clock& RealClock() {
  static SteadyClock clock;
  return clock;
}

bool IsRetryableStatus(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

Backoff::Backoff(const RetryOptions& options, std::uint64_t seed)
    : options_(options), ceiling_ms_(static_cast<double>(options.initial_backoff.count())), rng_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  double ceiling = std::min(ceiling_ms_, static_cast<double>(options_.max_backoff.count()));
  ceiling_ms_ *= options_.multiplier;
  std::uniform_real_distribution<double> jitter(0.0, ceiling);
  return std::chrono::milliseconds(static_cast<long long>(jitter(rng_)));
}

Result<HttpResponse> RetryLoop(const RetryOptions& options, Clock& clock, Credentials* credentials, bool idempotent,
                               const std::string& what, const Attempt& attempt, RetryCounters* counters) {
  const auto deadline = clock.Now() + options.max_total;
  Backoff backoff(options, std::random_device{}());
  bool refreshed = false;
  Status last_error;
  for (int tries = 1;; ++tries) {
    std::string authorization;
    if (credentials != nullptr) {
      auto header = credentials->AuthorizationHeader();
      if (!header.ok()) return header.status();
      authorization = *header;
    }
    Result<HttpResponse> result = attempt(authorization);
    if (result.ok() && result->status >= 300 && !authorization.empty()) {
      // A reply that is not a success may quote the request's token back (a proxy, a
      // misconfigured server): it goes into messages, so never the token.
      const auto space = authorization.find(' ');
      result->body = RedactSecrets(DecodedForRedaction(std::move(result->body)), {authorization.substr(space + 1)});
    }
    std::optional<std::chrono::milliseconds> server_wait;
    if (result.ok()) {
      const HttpResponse& r = *result;
      if (r.status == 401 && credentials != nullptr && credentials->SendsSecrets() && !refreshed) {
        // The token was rejected before anything happened: refresh once.
        credentials->Invalidate();
        refreshed = true;
        if (counters) ++counters->refreshes;
        --tries;
        continue;
      }
      if (!IsRetryableStatus(r.status) || !idempotent) return result;
      last_error = Status(ErrorCode::kUnavailable, "the server answered " + std::to_string(r.status));
      server_wait = RetryAfter(r);
    } else {
      if (result.status().code() != ErrorCode::kUnavailable || !idempotent) {
        return result.status().WithContext(what);
      }
      last_error = result.status();
    }
    std::chrono::milliseconds wait = backoff.Next();
    if (server_wait) wait = std::max(wait, *server_wait);
    if (tries >= options.max_attempts || clock.Now() + wait > deadline) {
      return Status(ErrorCode::kUnavailable, what + ": gave up after " + std::to_string(tries) + " attempt(s): " +
                                                 last_error.message());
    }
    if (AbandonRequested()) return Status(ErrorCode::kInterrupted, what + ": abandoned on request");
    if (counters) ++counters->retries;
    // Shown with -v: a run waiting on a struggling server says why it waits.
    LogDebug(what + ": attempt " + std::to_string(tries) + " failed (" + last_error.message() + "); retrying in " +
             std::to_string(wait.count()) + " ms");
    clock.Sleep(wait);
    if (AbandonRequested()) return Status(ErrorCode::kInterrupted, what + ": abandoned on request");
  }
}

}  // namespace nc2zarr
