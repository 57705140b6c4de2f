// Finding the credentials to use, as Google's client libraries do
// (Application Default Credentials), after the explicit options:
//   1. --token-file FILE
//   2. --credentials FILE, else $GOOGLE_APPLICATION_CREDENTIALS
//   3. gcloud's $CLOUDSDK_CONFIG/application_default_credentials.json, or
//      $HOME/.config/gcloud/application_default_credentials.json
//   4. the metadata server ($GCE_METADATA_HOST, or 169.254.169.254)
//   5. --anonymous (only when given; it excludes 1 and 2 and skips 3 and 4)
// Nothing found is one error listing what was tried and how to fix it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/auth/token_cache.h"
#include "nc2zarr/auth/token_endpoint.h"
#include "nc2zarr/http/retry.h"

namespace nc2zarr {

// An environment variable's value, nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct CredentialOptions {
  std::string token_file;        // --token-file
  std::string credentials_file;  // --credentials
  bool anonymous = false;        // --anonymous
  std::vector<std::string> scopes{kStorageReadWriteScope};
  // A job's ranks other than 0 may turn this off, so the warning about a
  // file others can read comes once, not once per rank.
  bool warn_open_permissions = true;

  // Injected in tests; the defaults are getenv, libcurl, the real clocks.
  EnvLookup getenv;
  TokenTransportFactory make_transport;
  Clock* clock = nullptr;  // retry waits; RealClock() when null
  RetryOptions token_retry = DefaultTokenRetry();
  std::chrono::milliseconds metadata_connect_timeout{1000};
  RefreshPolicy refresh;  // refresh.now also stamps JWTs
};

enum class CredentialSource { kTokenFile, kServiceAccount, kAuthorizedUser, kMetadataServer, kAnonymous };

struct ResolvedCredentials {
  // For the store: every upload thread of the process shares it.
  std::shared_ptr<Credentials> credentials;
  // The same object, for Current/Seed/RemainingLifetime; null when anonymous.
  std::shared_ptr<CachingCredentials> cache;
  CredentialSource source = CredentialSource::kAnonymous;
  // client_email, "authorized user" (with the account when gcloud recorded
  // it), "metadata server", "token file PATH" or "anonymous".
  std::string identity;
  // The source, identity and where it was found: credentials->Describe().
  std::string description;

  // Time left on the token held now; nullopt before the first token or when
  // its expiry is unknown (a token file).
  std::optional<std::chrono::seconds> RemainingLifetime() const;
};

// Reads and checks the chosen file (no token is fetched from an endpoint,
// except that finding the metadata server means asking it for one). Call
// credentials->AuthorizationHeader() once before any data is read, so a
// refused grant stops the job at the start.
Result<ResolvedCredentials> ResolveCredentials(const CredentialOptions& options);

}  // namespace nc2zarr
