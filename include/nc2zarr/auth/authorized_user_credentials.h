// gcloud's authorized-user files ("type": "authorized_user", left by
// `gcloud auth application-default login`): a refresh token traded for
// access tokens at the token endpoint. The scopes were fixed at login.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nc2zarr/auth/token_endpoint.h"
#include "nc2zarr/auth/token_source.h"

namespace nc2zarr {

// What a user runs on an HPC login node to get such a file (the user's guide).
inline constexpr char kGcloudLoginCommand[] =
    "gcloud auth application-default login --no-browser "
    "--scopes=https://www.googleapis.com/auth/devstorage.read_write";

struct AuthorizedUser {
  std::string client_id;
  std::string client_secret;  // secret
  std::string refresh_token;  // secret
  std::string token_uri;      // kGoogleTokenUri unless the file names another
  std::string account;        // the e-mail, when gcloud recorded it
};

// The fields of an authorized-user file; `what` names it in messages.
Result<AuthorizedUser> ParseAuthorizedUser(const nlohmann::json& json, const std::string& what);

// POSTs grant_type=refresh_token with the client id, secret and refresh token.
std::unique_ptr<TokenSource> MakeAuthorizedUserTokenSource(AuthorizedUser user, std::string what,
                                                           TokenEndpointClient client);

}  // namespace nc2zarr
