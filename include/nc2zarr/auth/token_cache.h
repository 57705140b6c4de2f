// The Credentials every storage request uses: a token from a TokenSource,
// cached with its expiry, refreshed ahead of expiry (at a jittered moment,
// so the ranks of a large job do not all ask the endpoint in the same
// second) and after Invalidate (a 401). Thread-safe: one fetch at a time;
// while a refresh ahead of expiry runs, other threads keep using the
// current token.
//
// A job fetches its first token once: rank 0 calls AuthorizationHeader(),
// broadcasts Current(), and every other rank Seed()s it (docs/credentials.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/auth/token_source.h"

namespace nc2zarr {

// A token with its absolute expiry, as one process hands it to another.
struct AccessToken {
  std::string token;  // secret: send it to the job's other ranks, never to a log
  std::optional<std::chrono::system_clock::time_point> expiry;  // unknown for a token file
};

struct RefreshPolicy {
  // Refresh once less than margin + jitter remains, the jitter drawn uniformly
  // from [0, max_jitter] for each token; at half a token's lifetime when that
  // comes first (short-lived tokens).
  std::chrono::seconds margin{300};
  std::chrono::seconds max_jitter{240};
  // A failed refresh while the token is still good is retried this much later.
  std::chrono::seconds retry_failed_refresh{30};
  std::optional<std::uint64_t> seed;  // for the jitter; random when unset
  WallClock now;                      // std::chrono::system_clock::now when unset
};

class CachingCredentials final : public Credentials {
 public:
  explicit CachingCredentials(std::unique_ptr<TokenSource> source, RefreshPolicy policy = {});

  Result<std::string> AuthorizationHeader() override;
  void Invalidate() override;
  std::string Describe() const override;

  // The token held now, unless there is none or it is about to expire.
  std::optional<AccessToken> Current() const;
  // Adopts a token obtained elsewhere (rank 0's), so this process does not
  // ask the endpoint until that token is due for refresh.
  void Seed(const AccessToken& token);
  // Time left on the token held now; nullopt without a token or a known expiry.
  std::optional<std::chrono::seconds> RemainingLifetime() const;

 private:
  struct Held {
    std::string token;
    std::optional<std::chrono::system_clock::time_point> expiry;
    std::chrono::system_clock::time_point refresh_at;  // ask for a new one from here on
    std::chrono::system_clock::time_point stale_at;    // never sent from here on
  };
  std::chrono::system_clock::time_point Now() const;
  Held MakeHeld(std::string token, std::optional<std::chrono::system_clock::time_point> expiry,
                std::chrono::system_clock::time_point now);

  std::unique_ptr<TokenSource> source_;
  RefreshPolicy policy_;
  std::mutex fetch_mutex_;    // one fetch at a time; taken before mutex_
  mutable std::mutex mutex_;  // guards held_ and rng_
  std::optional<Held> held_;
  std::mt19937_64 rng_;
};

}  // namespace nc2zarr
