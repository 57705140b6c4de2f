#include "nc2zarr/auth/service_account_credentials.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/auth_test_support.h"

namespace nc2zarr {
namespace {

using namespace testing_auth;

class ServiceAccountTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenSource> Source(const nlohmann::json& json, std::vector<std::string> scopes) {
    auto key = ParseServiceAccountKey(json, "credentials file key.json (--credentials)");
    EXPECT_TRUE(key.ok()) << key.status().message();
    return MakeServiceAccountTokenSource(
        std::move(*key), std::move(scopes), "credentials file key.json (--credentials)",
        TokenEndpointClient(FakeFactory(http)({}), clock, DefaultTokenRetry()), wall.Function());
  }

  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  FakeClock clock;
  FakeWallClock wall;
};

TEST_F(ServiceAccountTest, PostsASignedJwtWithTheRightClaims) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("ya29.sa-token", 3599)); };
  auto source = Source(ServiceAccountJson(), {kStorageReadWriteScope, "https://www.googleapis.com/auth/iam.test"});
  auto token = source->Fetch();
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->token, "ya29.sa-token");
  EXPECT_EQ(token->expires_in, std::chrono::seconds(3599));

  ASSERT_EQ(http->requests.size(), 1u);
  const RecordedRequest& r = http->requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(r.HeaderValue("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(FormValue(r.body, "grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");

  const std::string jwt = FormValue(r.body, "assertion");
  auto first = jwt.find('.'), second = jwt.find('.', first + 1);
  ASSERT_NE(second, std::string::npos);
  auto header = nlohmann::json::parse(Base64UrlDecode(jwt.substr(0, first)));
  EXPECT_EQ(header, (nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "kid-0123"}}));
  auto claims = nlohmann::json::parse(Base64UrlDecode(jwt.substr(first + 1, second - first - 1)));
  EXPECT_EQ(claims["iss"], "uploader@proj.iam.gserviceaccount.com");
  EXPECT_EQ(claims["scope"],
            "https://www.googleapis.com/auth/devstorage.read_write https://www.googleapis.com/auth/iam.test");
  EXPECT_EQ(claims["aud"], "https://oauth2.googleapis.com/token");
  EXPECT_EQ(claims["iat"], wall.Seconds());
  EXPECT_EQ(claims["exp"], wall.Seconds() + 3600);
  EXPECT_EQ(claims.size(), 5u);
  EXPECT_TRUE(VerifyRs256(TestKeys().public_pem, jwt.substr(0, second), Base64UrlDecode(jwt.substr(second + 1))));
  EXPECT_EQ(source->Describe(),
            "service account uploader@proj.iam.gserviceaccount.com, credentials file key.json (--credentials)");
}

TEST_F(ServiceAccountTest, EachTokenGetsAFreshAssertionAtTheFilesTokenUri) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("t")); };
  auto source = Source(ServiceAccountJson("http://127.0.0.1:9876/token"), {kStorageReadWriteScope});
  ASSERT_TRUE(source->Fetch().ok());
  wall.Advance(std::chrono::minutes(55));
  ASSERT_TRUE(source->Fetch().ok());
  ASSERT_EQ(http->requests.size(), 2u);
  EXPECT_EQ(http->requests[1].url, "http://127.0.0.1:9876/token");
  auto claims_of = [](const RecordedRequest& r) {
    std::string jwt = FormValue(r.body, "assertion");
    auto first = jwt.find('.'), second = jwt.find('.', first + 1);
    return nlohmann::json::parse(Base64UrlDecode(jwt.substr(first + 1, second - first - 1)));
  };
  EXPECT_EQ(claims_of(http->requests[1])["aud"], "http://127.0.0.1:9876/token");
  EXPECT_EQ(claims_of(http->requests[1])["iat"].get<long long>() - claims_of(http->requests[0])["iat"].get<long long>(),
            55 * 60);
}

TEST_F(ServiceAccountTest, WithoutAKeyIdTheHeaderHasNoKid) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("t")); };
  auto json = ServiceAccountJson();
  json.erase("private_key_id");
  ASSERT_TRUE(Source(json, {kStorageReadWriteScope})->Fetch().ok());
  std::string jwt = FormValue(http->requests[0].body, "assertion");
  EXPECT_EQ(nlohmann::json::parse(Base64UrlDecode(jwt.substr(0, jwt.find('.')))),
            (nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}}));
}

TEST_F(ServiceAccountTest, InvalidGrantNamesTheFileAndWhatToDo) {
  http->handler = [](const RecordedRequest&) {
    return Result<HttpResponse>(
        Reply(400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"));
  };
  auto token = Source(ServiceAccountJson(), {kStorageReadWriteScope})->Fetch();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(token.status().message(),
            "https://oauth2.googleapis.com/token refused the key of service account "
            "uploader@proj.iam.gserviceaccount.com in credentials file key.json (--credentials) (HTTP 400: "
            "invalid_grant: Invalid JWT Signature.); the key may have been deleted or disabled, or this machine's "
            "clock is wrong (check `date -u`); create a new key for the service account, or fix the clock");
  EXPECT_EQ(http->requests.size(), 1u);  // a refusal is not retried
}

TEST_F(ServiceAccountTest, BadKeyFilesAreRefusedNamingFileAndField) {
  struct Case {
    std::string remove, set_field, set_value, expected;
  };
  const std::vector<Case> cases = {
      {"client_email", "", "", "k.json has no \"client_email\" text; download a new key"},
      {"private_key", "", "", "k.json has no \"private_key\" text; download a new key"},
      {"", "private_key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "the private_key in k.json is not a PEM private key (or it is encrypted); download the key file again"},
      {"", "token_uri", "http://oauth2.googleapis.com/token",
       "k.json: token endpoint http://oauth2.googleapis.com/token must use https"},
  };
  for (const Case& c : cases) {
    auto json = ServiceAccountJson();
    if (!c.remove.empty()) json.erase(c.remove);
    if (!c.set_field.empty()) json[c.set_field] = c.set_value;
    auto key = ParseServiceAccountKey(json, "k.json");
    ASSERT_FALSE(key.ok()) << c.expected;
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(key.status().message().rfind(c.expected, 0), 0u) << key.status().message();
  }
}

}  // namespace
}  // namespace nc2zarr
