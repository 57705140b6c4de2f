#include "nc2zarr/cli/credentials_choice.h"

#include <cstdlib>

namespace nc2zarr {

Result<ResolvedCredentials> ChooseCredentials(const AuthOptions& options, bool warn) {
  CredentialOptions c;
  c.token_file = options.token_file;
  c.credentials_file = options.credentials_file;
  const char* emulator = std::getenv("STORAGE_EMULATOR_HOST");
  const bool explicit_source = !options.token_file.empty() || !options.credentials_file.empty();
  c.anonymous = options.anonymous || (!explicit_source && emulator != nullptr && *emulator != '\0');
  c.scopes = {options.scope};
  c.warn_open_permissions = warn;
  return ResolveCredentials(c);
}

namespace {

// What must be the same on every rank: the kind of credentials and whose
// they are (a token file's path may be spelled per node).
std::string SameAccountKey(const ResolvedCredentials& resolved) {
  if (resolved.source == CredentialSource::kTokenFile) return "a token file";
  return resolved.identity;
}

}  // namespace

Result<ResolvedCredentials> ChooseCredentialsForJob(const AuthOptions& options, Comm& comm) {
  const bool root = comm.rank() == 0;
  auto resolved = ChooseCredentials(options, root);
  Status first = resolved.ok() ? Status::Ok() : resolved.status();
  if (root && first.ok()) {
    // Fetching now stops a refused grant before any data is read.
    auto header = resolved->credentials->AuthorizationHeader();
    if (!header.ok()) first = header.status();
  }
  if (!comm.AllTrue(first.ok())) {
    // Only rank 0's error is shown: it names the rank that failed and why
    // (a home directory not mounted on that node, another environment).
    const auto errors = comm.Gather(first.ok() ? "" : first.message(), 0);
    if (!first.ok()) return first;
    for (std::size_t r = 0; r < errors.size(); ++r) {
      if (!errors[r].empty()) return Cancelled("credentials failed on rank " + std::to_string(r) + ": " + errors[r]);
    }
    return Cancelled("credentials failed on another rank");
  }
  // Every rank refreshes its own token: all must be the same account, or
  // a job would write as two (each rank looks in its own environment).
  std::string whose = SameAccountKey(*resolved);
  std::string rank0 = whose;
  comm.Broadcast(rank0, 0);
  if (!comm.AllTrue(whose == rank0)) {
    const auto others = comm.Gather(whose, 0);
    for (std::size_t r = 1; r < others.size(); ++r) {
      if (others[r] != rank0) {
        return Status(ErrorCode::kPermissionDenied,
                      "rank " + std::to_string(r) + " found other credentials (" + others[r] + ") than rank 0 (" +
                          rank0 + "): give --credentials FILE, or the same GOOGLE_APPLICATION_CREDENTIALS on every node");
      }
    }
    return Cancelled("credentials differ between ranks");
  }
  if (comm.size() > 1 && resolved->cache) {
    // "<expiry seconds or -1>\n<token>": a secret, never logged.
    std::string shared;
    if (root) {
      auto current = resolved->cache->Current();
      if (current) {
        long long expiry = current->expiry ? std::chrono::duration_cast<std::chrono::seconds>(
                                                 current->expiry->time_since_epoch()).count()
                                           : -1;
        shared = std::to_string(expiry) + "\n" + current->token;
      }
    }
    comm.Broadcast(shared, 0);
    if (!root && !shared.empty()) {
      auto nl = shared.find('\n');
      long long expiry = std::stoll(shared.substr(0, nl));
      AccessToken token{shared.substr(nl + 1), std::nullopt};
      if (expiry >= 0) token.expiry = std::chrono::system_clock::time_point(std::chrono::seconds(expiry));
      resolved->cache->Seed(token);
    }
  }
  return resolved;
}

}  // namespace nc2zarr
