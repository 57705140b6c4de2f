#include "nc2zarr/auth/jwt.h"

#include <openssl/ec.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/auth_test_support.h"

namespace nc2zarr {
namespace {

using testing_auth::Base64UrlDecode;
using testing_auth::TestKeys;

TEST(Base64Url, HasNoPaddingAndUsesTheUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");  // "+/+/" in standard base64
}

TEST(Jwt, IsThreeBase64UrlPartsWithAValidRs256Signature) {
  auto key = RsaPrivateKey::FromPem(TestKeys().private_pem, "test key");
  ASSERT_TRUE(key.ok()) << key.status().message();
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "k1"}};
  nlohmann::json claims = {{"iss", "a@b"}, {"iat", 1}, {"exp", 3601}};
  auto jwt = SignJwt(header, claims, *key);
  ASSERT_TRUE(jwt.ok());
  auto first = jwt->find('.'), second = jwt->find('.', first + 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(jwt->find_first_of("=+/"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(Base64UrlDecode(jwt->substr(0, first))), header);
  EXPECT_EQ(nlohmann::json::parse(Base64UrlDecode(jwt->substr(first + 1, second - first - 1))), claims);
  std::string signature = Base64UrlDecode(jwt->substr(second + 1));
  EXPECT_EQ(signature.size(), 256u);  // a 2048-bit key
  EXPECT_TRUE(testing_auth::VerifyRs256(TestKeys().public_pem, jwt->substr(0, second), signature));
  EXPECT_FALSE(testing_auth::VerifyRs256(TestKeys().public_pem, jwt->substr(0, second) + "x", signature));
}

TEST(RsaPrivateKey, RefusesWhatIsNotAnUnencryptedRsaKeyWithoutQuotingIt) {
  const std::string garbled =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-secret-part\n"
      "-----END PRIVATE KEY-----\n";
  for (const std::string& pem : {std::string("not a key"), garbled, TestKeys().public_pem}) {
    auto key = RsaPrivateKey::FromPem(pem, "the private_key in key.json");
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(key.status().message().rfind("the private_key in key.json is not a PEM private key", 0), 0u)
        << key.status().message();
    EXPECT_EQ(key.status().message().find("secret-part"), std::string::npos);
  }
}

TEST(RsaPrivateKey, RefusesAnEncryptedKeyWithoutPrompting) {
  EVP_PKEY* raw = nullptr;
  BIO* bio = BIO_new_mem_buf(TestKeys().private_pem.data(), static_cast<int>(TestKeys().private_pem.size()));
  raw = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  BIO* out = BIO_new(BIO_s_mem());
  char passphrase[] = "passphrase";
  PEM_write_bio_PKCS8PrivateKey(out, raw, EVP_aes_256_cbc(), passphrase, 10, nullptr, nullptr);
  std::string encrypted = testing_auth::BioText(out);
  BIO_free(out);
  EVP_PKEY_free(raw);
  ASSERT_NE(encrypted.find("ENCRYPTED"), std::string::npos);
  auto key = RsaPrivateKey::FromPem(encrypted, "k.json");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("encrypted"), std::string::npos);
}

TEST(RsaPrivateKey, RefusesAKeyThatIsNotRsa) {
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(out, ec, nullptr, nullptr, 0, nullptr, nullptr);
  std::string pem = testing_auth::BioText(out);
  BIO_free(out);
  EVP_PKEY_free(ec);
  auto key = RsaPrivateKey::FromPem(pem, "k.json");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("not an RSA key"), std::string::npos);
}

}  // namespace
}  // namespace nc2zarr
