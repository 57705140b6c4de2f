#include "nc2zarr/auth/resolve_credentials.h"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "nc2zarr/auth/authorized_user_credentials.h"
#include "nc2zarr/auth/credentials_file.h"
#include "nc2zarr/auth/metadata_server_credentials.h"
#include "nc2zarr/auth/service_account_credentials.h"
#include "nc2zarr/auth/token_file_credentials.h"
#include "nc2zarr/base/core_dumps.h"

namespace nc2zarr {
namespace {

constexpr char kAdcFileName[] = "application_default_credentials.json";

// Set and not empty, as Google's libraries read these variables.
std::optional<std::string> Env(const CredentialOptions& options, const std::string& name) {
  std::optional<std::string> value;
  if (options.getenv) {
    value = options.getenv(name);
  } else if (const char* raw = std::getenv(name.c_str())) {
    value = raw;
  }
  if (value && value->empty()) return std::nullopt;
  return value;
}

TokenEndpointClient MakeClient(const CredentialOptions& options, const TransportOptions& transport,
                               const RetryOptions& retry) {
  std::unique_ptr<HttpTransport> t =
      options.make_transport ? options.make_transport(transport) : MakeCurlTransport(transport);
  return TokenEndpointClient(std::move(t), options.clock ? *options.clock : RealClock(), retry);
}

// A token endpoint answers within seconds or not at all.
TransportOptions TokenEndpointTransport() {
  TransportOptions t;
  t.connect_timeout = std::chrono::seconds(10);
  t.stall_timeout = std::chrono::seconds(30);
  t.total_timeout = std::chrono::seconds(60);
  return t;
}

std::chrono::system_clock::time_point WallNow(const CredentialOptions& options) {
  return options.refresh.now ? options.refresh.now() : std::chrono::system_clock::now();
}

ResolvedCredentials Wrap(std::unique_ptr<TokenSource> source, CredentialSource kind, std::string identity,
                         const CredentialOptions& options) {
  auto cache = std::make_shared<CachingCredentials>(std::move(source), options.refresh);
  std::string description = cache->Describe();
  return ResolvedCredentials{cache, cache, kind, std::move(identity), std::move(description)};
}

Result<ResolvedCredentials> FromTokenFile(const CredentialOptions& options) {
  auto source = MakeTokenFileSource(options.token_file, options.warn_open_permissions);
  // Read now, so a missing or empty file stops the job before any data is read.
  ASSIGN_OR_RETURN(FetchedToken token, source->Fetch());
  ResolvedCredentials resolved =
      Wrap(std::move(source), CredentialSource::kTokenFile, "token file " + options.token_file, options);
  resolved.cache->Seed(AccessToken{std::move(token.token), std::nullopt});
  return resolved;
}

// `what` names the file and how it was found ("credentials file P (--credentials)");
// `fix` says what to do when it cannot be read.
Result<ResolvedCredentials> FromCredentialsFile(const std::string& path, const std::string& what,
                                                const std::string& fix, const CredentialOptions& options) {
  Result<std::string> text = ReadSecretFile(path, what, options.warn_open_permissions);
  if (!text.ok()) return Status(text.status().code(), text.status().message() + "; " + fix);
  ASSIGN_OR_RETURN(nlohmann::json json, ParseCredentialsJson(*text, what));
  const std::string type = OptionalString(json, "type");
  if (type == "service_account") {
    ASSIGN_OR_RETURN(ServiceAccountKey key, ParseServiceAccountKey(json, what));
    std::string email = key.client_email;
    return Wrap(MakeServiceAccountTokenSource(std::move(key), options.scopes, what,
                                              MakeClient(options, TokenEndpointTransport(), options.token_retry),
                                              options.refresh.now),
                CredentialSource::kServiceAccount, std::move(email), options);
  }
  if (type == "authorized_user") {
    ASSIGN_OR_RETURN(AuthorizedUser user, ParseAuthorizedUser(json, what));
    std::string identity = "authorized user" + (user.account.empty() ? "" : " " + user.account);
    return Wrap(MakeAuthorizedUserTokenSource(std::move(user), what,
                                              MakeClient(options, TokenEndpointTransport(), options.token_retry)),
                CredentialSource::kAuthorizedUser, std::move(identity), options);
  }
  const std::string supported =
      "nc2zarr takes a service account key (\"service_account\") or gcloud's file (\"authorized_user\", from `" +
      std::string(kGcloudLoginCommand) + "`)";
  if (type.empty()) return InvalidInput(what + " has no \"type\" text; " + supported);
  // Only Google's own type names are repeated: the field could hold anything.
  for (const char* known : {"external_account", "external_account_authorized_user", "impersonated_service_account",
                            "gdch_service_account"}) {
    if (type == known) {
      return InvalidInput(what + " holds credentials of type \"" + type + "\", which are not supported; " + supported);
    }
  }
  return InvalidInput(what + " holds credentials of an unknown type; " + supported);
}

struct MetadataProbe {
  std::optional<Result<ResolvedCredentials>> outcome;  // empty: nothing there, try on
  std::string tried;                                   // what to list when nothing was found
};

MetadataProbe FromMetadataServer(const CredentialOptions& options) {
  const std::optional<std::string> env_host = Env(options, "GCE_METADATA_HOST");
  const std::string host = env_host ? *env_host : kMetadataServerHost;
  const std::string origin = env_host ? "GCE_METADATA_HOST" : "the VM's default service account";
  if (env_host) {
    if (Status s = CheckMetadataHost(host); !s.ok()) return {Result<ResolvedCredentials>(s), ""};
  }
  TransportOptions transport;
  transport.connect_timeout = options.metadata_connect_timeout;
  transport.stall_timeout = std::chrono::seconds(10);
  transport.total_timeout = std::chrono::seconds(30);
  // One try, with the short connect timeout: most clusters have no metadata
  // server, and must not wait for one.
  RetryOptions once = options.token_retry;
  once.max_attempts = 1;
  auto probe = MakeMetadataServerTokenSource(host, origin, options.scopes, MakeClient(options, transport, once));
  const auto requested_at = WallNow(options);
  Result<FetchedToken> first = probe->Fetch();
  if (!first.ok()) {
    const Status& s = first.status();
    if (env_host) {
      return {Result<ResolvedCredentials>(Status(s.code(), s.message() + "; fix or unset GCE_METADATA_HOST")), ""};
    }
    if (s.code() == ErrorCode::kUnavailable)
      return {std::nullopt, "the metadata server at " + host + " (none answered)"};
    if (s.code() == ErrorCode::kNotFound) {
      return {std::nullopt, "the metadata server at " + host + " (what answered was not one)"};
    }
    return {Result<ResolvedCredentials>(s), ""};
  }
  ResolvedCredentials resolved = Wrap(
      MakeMetadataServerTokenSource(host, origin, options.scopes, MakeClient(options, transport, options.token_retry)),
      CredentialSource::kMetadataServer, "metadata server", options);
  std::optional<std::chrono::system_clock::time_point> expiry;
  if (first->expires_in) expiry = requested_at + *first->expires_in;
  resolved.cache->Seed(AccessToken{std::move(first->token), expiry});
  return {Result<ResolvedCredentials>(std::move(resolved)), ""};
}

}  // namespace

std::optional<std::chrono::seconds> ResolvedCredentials::RemainingLifetime() const {
  return cache ? cache->RemainingLifetime() : std::nullopt;
}

Result<ResolvedCredentials> ResolveCredentials(const CredentialOptions& options) {
  const int explicit_choices =
      int(!options.token_file.empty()) + int(!options.credentials_file.empty()) + int(options.anonymous);
  if (explicit_choices > 1) {
    return UsageError("--token-file, --credentials and --anonymous exclude each other; give one of them");
  }
  if (options.scopes.empty() && !options.anonymous) return UsageError("no OAuth scope was given; give at least one");
  if (!options.anonymous) KeepSecretsOutOfCoreDumps();  // before a key or token is read
  if (options.anonymous) {
    auto anonymous = MakeAnonymousCredentials();
    std::string description = anonymous->Describe();
    return ResolvedCredentials{anonymous, nullptr, CredentialSource::kAnonymous, "anonymous", description};
  }
  if (!options.token_file.empty()) return FromTokenFile(options);
  if (!options.credentials_file.empty()) {
    const std::string& path = options.credentials_file;
    return FromCredentialsFile(path, "credentials file " + path + " (--credentials)", "check the path", options);
  }
  if (auto path = Env(options, "GOOGLE_APPLICATION_CREDENTIALS")) {
    return FromCredentialsFile(*path, "credentials file " + *path + " (GOOGLE_APPLICATION_CREDENTIALS)",
                               "fix the path or unset GOOGLE_APPLICATION_CREDENTIALS", options);
  }
  std::vector<std::string> tried = {"GOOGLE_APPLICATION_CREDENTIALS (not set)"};

  std::optional<std::filesystem::path> adc;
  if (auto config = Env(options, "CLOUDSDK_CONFIG")) {
    adc = std::filesystem::path(*config) / kAdcFileName;
  } else if (auto home = Env(options, "HOME")) {
    adc = std::filesystem::path(*home) / ".config" / "gcloud" / kAdcFileName;
  } else {
    tried.push_back("gcloud's application default credentials (neither CLOUDSDK_CONFIG nor HOME is set)");
  }
  if (adc) {
    std::error_code error;
    if (std::filesystem::exists(*adc, error)) {
      const std::string path = adc->string();
      return FromCredentialsFile(path, "gcloud's application default credentials " + path,
                                 "run `" + std::string(kGcloudLoginCommand) + "` again", options);
    }
    tried.push_back(adc->string() + " (no such file)");
  }

  MetadataProbe metadata = FromMetadataServer(options);
  if (metadata.outcome) return std::move(*metadata.outcome);
  tried.push_back(metadata.tried);

  std::string list;
  for (const std::string& t : tried) list += (list.empty() ? "" : ", ") + t;
  return NotFound("no Google credentials found (tried " + list + "); on an HPC login node run `" +
                  std::string(kGcloudLoginCommand) +
                  "` and follow its prompts, or give --token-file FILE, --credentials KEY.json, "
                  "or --anonymous for a public bucket");
}

}  // namespace nc2zarr
