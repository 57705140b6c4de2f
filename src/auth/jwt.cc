#include "nc2zarr/auth/jwt.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "nc2zarr/base/base64.h"

namespace nc2zarr {
namespace {

// OpenSSL would otherwise ask for a passphrase on the terminal.
int RefusePassphrase(char*, int, int, void*) { return -1; }

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  std::string text = Base64Encode(std::as_bytes(std::span(data.data(), data.size())));
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

Result<RsaPrivateKey> RsaPrivateKey::FromPem(const std::string& pem, const std::string& where) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr) : nullptr;
  // The error queue names the failing decoder, never the key; it is dropped
  // so that no later OpenSSL caller reports it.
  ERR_clear_error();
  if (raw == nullptr) {
    return InvalidInput(where + " is not a PEM private key (or it is encrypted); download the key file again");
  }
  std::shared_ptr<evp_pkey_st> key(raw, &EVP_PKEY_free);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) {
    return InvalidInput(where + " is not an RSA key, which RS256 needs; download the key file again");
  }
  return RsaPrivateKey(std::move(key));
}

Result<std::string> RsaPrivateKey::SignSha256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t size = 0;
  bool ok =
      ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  std::string signature(size, '\0');
  ok = ok && EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                            reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  ERR_clear_error();
  if (!ok) return Internal("OpenSSL could not sign with the RSA key");
  signature.resize(size);
  return signature;
}

Result<std::string> SignJwt(const nlohmann::json& header, const nlohmann::json& claims, const RsaPrivateKey& key) {
  std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  ASSIGN_OR_RETURN(std::string signature, key.SignSha256(signing_input));
  return signing_input + "." + Base64UrlEncode(signature);
}

}  // namespace nc2zarr
