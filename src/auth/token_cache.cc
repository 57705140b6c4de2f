#include "nc2zarr/auth/token_cache.h"

#include <algorithm>

#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using std::chrono::system_clock;

std::string Bearer(const std::string& token) { return "Bearer " + token; }

// A token is not sent in its last seconds: it could expire on the way.
constexpr std::chrono::seconds kLastSeconds{10};

}  // namespace

CachingCredentials::CachingCredentials(std::unique_ptr<TokenSource> source, RefreshPolicy policy)
    : source_(std::move(source)),
      policy_(std::move(policy)),
      rng_(policy_.seed ? *policy_.seed : std::random_device{}()) {}

system_clock::time_point CachingCredentials::Now() const { return policy_.now ? policy_.now() : system_clock::now(); }

CachingCredentials::Held CachingCredentials::MakeHeld(std::string token, std::optional<system_clock::time_point> expiry,
                                                      system_clock::time_point now) {
  Held held{std::move(token), expiry, system_clock::time_point::max(), system_clock::time_point::max()};
  if (!expiry) return held;  // refreshed only after a 401
  const auto lifetime = std::max(system_clock::duration::zero(), *expiry - now);
  const auto jitter_ms = std::uniform_int_distribution<long long>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(policy_.max_jitter).count())(rng_);
  const system_clock::duration lead = policy_.margin + std::chrono::milliseconds(jitter_ms);
  held.refresh_at = *expiry - std::min(lead, lifetime / 2);
  held.stale_at = *expiry - std::min<system_clock::duration>(kLastSeconds, lifetime / 4);
  return held;
}

Result<std::string> CachingCredentials::AuthorizationHeader() {
  std::optional<std::string> current;  // still good while a refresh is due
  {
    std::lock_guard lock(mutex_);
    const auto now = Now();
    if (held_ && now < held_->refresh_at) return Bearer(held_->token);
    if (held_ && now < held_->stale_at) current = held_->token;
  }
  std::unique_lock fetching(fetch_mutex_, std::defer_lock);
  if (current) {
    // Ahead of expiry one thread refreshes; the others go on with the current token.
    if (!fetching.try_lock()) return Bearer(*current);
  } else {
    fetching.lock();
  }
  {
    std::lock_guard lock(mutex_);  // another thread may have refreshed meanwhile
    if (held_ && Now() < held_->refresh_at) return Bearer(held_->token);
  }
  const auto requested_at = Now();
  Result<FetchedToken> fetched = source_->Fetch();
  std::lock_guard lock(mutex_);
  const auto now = Now();
  if (!fetched.ok()) {
    if (held_ && now < held_->stale_at) {
      LogWarning("could not refresh the access token ahead of expiry; using the current one and trying again in " +
                 std::to_string(policy_.retry_failed_refresh.count()) + " s: " + fetched.status().message());
      held_->refresh_at = std::min(held_->stale_at, now + policy_.retry_failed_refresh);
      return Bearer(held_->token);
    }
    return fetched.status();
  }
  std::optional<system_clock::time_point> expiry;
  if (fetched->expires_in) expiry = requested_at + *fetched->expires_in;
  held_ = MakeHeld(std::move(fetched->token), expiry, now);
  LogDebug("got an access token from " + source_->Describe() +
           (fetched->expires_in ? " (expires in " + std::to_string(fetched->expires_in->count()) + " s)" : ""));
  return Bearer(held_->token);
}

void CachingCredentials::Invalidate() {
  std::lock_guard lock(mutex_);
  held_.reset();
}

std::string CachingCredentials::Describe() const { return source_->Describe(); }

std::optional<AccessToken> CachingCredentials::Current() const {
  std::lock_guard lock(mutex_);
  if (!held_ || Now() >= held_->stale_at) return std::nullopt;
  return AccessToken{held_->token, held_->expiry};
}

void CachingCredentials::Seed(const AccessToken& token) {
  if (token.token.empty()) return;  // nothing to adopt: the next request fetches
  std::lock_guard lock(mutex_);
  held_ = MakeHeld(token.token, token.expiry, Now());
}

std::optional<std::chrono::seconds> CachingCredentials::RemainingLifetime() const {
  std::lock_guard lock(mutex_);
  if (!held_ || !held_->expiry) return std::nullopt;
  return std::max(std::chrono::seconds(0), std::chrono::duration_cast<std::chrono::seconds>(*held_->expiry - Now()));
}

}  // namespace nc2zarr
