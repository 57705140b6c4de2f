#include "nc2zarr/auth/service_account_credentials.h"

#include <nlohmann/json.hpp>

#include "nc2zarr/auth/credentials_file.h"

namespace nc2zarr {
namespace {

constexpr char kJwtBearerGrant[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";
// The longest lifetime Google accepts for the assertion.
constexpr std::chrono::seconds kAssertionLifetime{3600};

class ServiceAccountTokenSource final : public TokenSource {
 public:
  ServiceAccountTokenSource(ServiceAccountKey key, std::vector<std::string> scopes, std::string what,
                            TokenEndpointClient client, WallClock now)
      : key_(std::move(key)),
        scopes_(std::move(scopes)),
        what_(std::move(what)),
        client_(std::move(client)),
        now_(std::move(now)) {}

  Result<FetchedToken> Fetch() override {
    const auto now = now_ ? now_() : std::chrono::system_clock::now();
    const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
    if (!key_.private_key_id.empty()) header["kid"] = key_.private_key_id;
    std::string scope;
    for (const std::string& s : scopes_) scope += (scope.empty() ? "" : " ") + s;
    nlohmann::json claims = {{"iss", key_.client_email},
                             {"scope", scope},
                             {"aud", key_.token_uri},
                             {"iat", iat},
                             {"exp", iat + kAssertionLifetime.count()}};
    ASSIGN_OR_RETURN(std::string assertion, SignJwt(header, claims, key_.private_key));
    // The signed assertion is itself a credential for an hour: a secret.
    const std::string body = EncodeForm({{"grant_type", kJwtBearerGrant}, {"assertion", assertion}});
    HttpRequest request;
    request.method = "POST";
    request.url = key_.token_uri;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = std::as_bytes(std::span(body.data(), body.size()));
    TokenRequestContext context{
        key_.token_uri,
        "the key of service account " + key_.client_email + " in " + what_,
        "the key may have been deleted or disabled, or this machine's clock is wrong (check `date -u`); "
        "create a new key for the service account, or fix the clock",
        {assertion}};
    ASSIGN_OR_RETURN(HttpResponse response, client_.Send(request, context));
    return ParseTokenResponse(response, context);
  }

  std::string Describe() const override { return "service account " + key_.client_email + ", " + what_; }

 private:
  ServiceAccountKey key_;
  std::vector<std::string> scopes_;
  std::string what_;
  TokenEndpointClient client_;
  WallClock now_;
};

}  // namespace

Result<ServiceAccountKey> ParseServiceAccountKey(const nlohmann::json& json, const std::string& what) {
  const std::string fix = "download a new key for the service account (IAM > Service accounts > Keys)";
  ASSIGN_OR_RETURN(std::string email, RequiredString(json, "client_email", what, fix));
  ASSIGN_OR_RETURN(std::string pem, RequiredString(json, "private_key", what, fix));
  ASSIGN_OR_RETURN(RsaPrivateKey key, RsaPrivateKey::FromPem(pem, "the private_key in " + what));
  std::string token_uri = OptionalString(json, "token_uri", kGoogleTokenUri);
  RETURN_IF_ERROR(CheckTokenEndpoint(token_uri, what));
  return ServiceAccountKey{std::move(email), OptionalString(json, "private_key_id"), std::move(token_uri),
                           std::move(key)};
}

std::unique_ptr<TokenSource> MakeServiceAccountTokenSource(ServiceAccountKey key, std::vector<std::string> scopes,
                                                           std::string what, TokenEndpointClient client,
                                                           WallClock now) {
  return std::make_unique<ServiceAccountTokenSource>(std::move(key), std::move(scopes), std::move(what),
                                                     std::move(client), std::move(now));
}

}  // namespace nc2zarr
