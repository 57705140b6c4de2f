// Where the bearer token on every storage request comes from. Credentials
// are shared by a rank's upload threads, so implementations are thread-safe.
// No method ever returns or logs a secret except AuthorizationHeader, whose
// value goes only into the request header.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

class Credentials {
 public:
  virtual ~Credentials() = default;
  // "Bearer <token>", or "" for anonymous access. Fetches or refreshes the
  // token when it is missing or close to expiry.
  virtual Result<std::string> AuthorizationHeader() = 0;
  // The server answered 401: forget the current token, so the next
  // AuthorizationHeader fetches a new one.
  virtual void Invalidate() = 0;
  // For messages and `auth check`: the source and identity, never a secret.
  virtual std::string Describe() const = 0;
  // False for anonymous access: nothing secret goes with its requests.
  virtual bool SendsSecrets() const { return true; }
};

// No Authorization header at all.
std::shared_ptr<Credentials> MakeAnonymousCredentials();

}  // namespace nc2zarr
