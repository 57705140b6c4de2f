// JSON Web Tokens signed with RS256, as a service account proves who it is
// to the token endpoint (RFC 7515 compact form, RFC 7518 RS256).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include "nc2zarr/base/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace nc2zarr {

// base64url without padding (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view data);

// An RSA private key. The PEM text is not kept.
class RsaPrivateKey {
 public:
  // `where` names the key in messages ("the private_key in key.json"); the
  // message never quotes the key. An encrypted key is refused, never prompted for.
  static Result<RsaPrivateKey> FromPem(const std::string& pem, const std::string& where);
  // The RSASSA-PKCS1-v1_5 signature with SHA-256 (RS256).
  Result<std::string> SignSha256(std::string_view data) const;

 private:
  explicit RsaPrivateKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

// base64url(header) "." base64url(claims) "." base64url(RS256 signature).
Result<std::string> SignJwt(const nlohmann::json& header, const nlohmann::json& claims, const RsaPrivateKey& key);

}  // namespace nc2zarr
