// A place access tokens come from: a key file, a refresh token, the metadata
// server, a token file. CachingCredentials decides when to ask it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

// The scope asked for unless another is configured: read and write objects,
// nothing else (the user's guide insists on it).
inline constexpr char kStorageReadWriteScope[] = "https://www.googleapis.com/auth/devstorage.read_write";

// Wall-clock time: tokens expire, and JWTs are stamped, in real time.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

// A token as a source hands it over; its lifetime counts from the request.
struct FetchedToken {
  std::string token;                               // secret
  std::optional<std::chrono::seconds> expires_in;  // unknown for a token file
};

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A new token. Called by one thread at a time.
  virtual Result<FetchedToken> Fetch() = 0;
  // The source and identity, for messages and `auth check`; never a secret.
  virtual std::string Describe() const = 0;
};

}  // namespace nc2zarr
