// Service account keys ("type": "service_account"): each token is bought
// with a fresh JWT signed by the key (OAuth 2.0 for server-to-server
// applications), exchanged at the key file's token_uri.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nc2zarr/auth/jwt.h"
#include "nc2zarr/auth/token_endpoint.h"
#include "nc2zarr/auth/token_source.h"

namespace nc2zarr {

struct ServiceAccountKey {
  std::string client_email;
  std::string private_key_id;  // the JWT's "kid"; left out when empty
  std::string token_uri;       // kGoogleTokenUri unless the file names another
  RsaPrivateKey private_key;
};

// The fields of a service account key file; `what` names the file in
// messages. Refuses a missing field, a key that does not parse and a
// token_uri that is not https (or loopback).
Result<ServiceAccountKey> ParseServiceAccountKey(const nlohmann::json& json, const std::string& what);

// A JWT with iss = client_email, scope = the scopes space-separated,
// aud = token_uri, iat = now, exp = iat + 3600, posted as
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer.
std::unique_ptr<TokenSource> MakeServiceAccountTokenSource(ServiceAccountKey key, std::vector<std::string> scopes,
                                                           std::string what, TokenEndpointClient client, WallClock now);

}  // namespace nc2zarr
