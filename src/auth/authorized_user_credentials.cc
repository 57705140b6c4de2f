#include "nc2zarr/auth/authorized_user_credentials.h"

#include <nlohmann/json.hpp>

#include "nc2zarr/auth/credentials_file.h"

namespace nc2zarr {
namespace {

class AuthorizedUserTokenSource final : public TokenSource {
 public:
  AuthorizedUserTokenSource(AuthorizedUser user, std::string what, TokenEndpointClient client)
      : user_(std::move(user)), what_(std::move(what)), client_(std::move(client)) {}

  Result<FetchedToken> Fetch() override {
    const std::string body = EncodeForm({{"grant_type", "refresh_token"},
                                         {"client_id", user_.client_id},
                                         {"client_secret", user_.client_secret},
                                         {"refresh_token", user_.refresh_token}});
    HttpRequest request;
    request.method = "POST";
    request.url = user_.token_uri;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = std::as_bytes(std::span(body.data(), body.size()));
    TokenRequestContext context{user_.token_uri,
                                "the refresh token in " + what_,
                                "the refresh token was revoked or has expired (or the file is damaged); run `" +
                                    std::string(kGcloudLoginCommand) + "` again",
                                {user_.refresh_token, user_.client_secret}};
    ASSIGN_OR_RETURN(HttpResponse response, client_.Send(request, context));
    return ParseTokenResponse(response, context);
  }

  std::string Describe() const override {
    return "authorized user" + (user_.account.empty() ? "" : " " + user_.account) + ", " + what_;
  }

 private:
  AuthorizedUser user_;
  std::string what_;
  TokenEndpointClient client_;
};

}  // namespace

Result<AuthorizedUser> ParseAuthorizedUser(const nlohmann::json& json, const std::string& what) {
  const std::string fix = "run `" + std::string(kGcloudLoginCommand) + "` again to write a complete file";
  AuthorizedUser user;
  ASSIGN_OR_RETURN(user.client_id, RequiredString(json, "client_id", what, fix));
  ASSIGN_OR_RETURN(user.client_secret, RequiredString(json, "client_secret", what, fix));
  ASSIGN_OR_RETURN(user.refresh_token, RequiredString(json, "refresh_token", what, fix));
  user.token_uri = OptionalString(json, "token_uri", kGoogleTokenUri);
  user.account = OptionalString(json, "account");
  RETURN_IF_ERROR(CheckTokenEndpoint(user.token_uri, what));
  return user;
}

std::unique_ptr<TokenSource> MakeAuthorizedUserTokenSource(AuthorizedUser user, std::string what,
                                                           TokenEndpointClient client) {
  return std::make_unique<AuthorizedUserTokenSource>(std::move(user), std::move(what), std::move(client));
}

}  // namespace nc2zarr
