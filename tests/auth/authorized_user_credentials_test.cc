#include "nc2zarr/auth/authorized_user_credentials.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/auth_test_support.h"

namespace nc2zarr {
namespace {

using namespace testing_auth;

class AuthorizedUserTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenSource> Source(const nlohmann::json& json) {
    auto user = ParseAuthorizedUser(json, "gcloud's application default credentials adc.json");
    EXPECT_TRUE(user.ok()) << user.status().message();
    return MakeAuthorizedUserTokenSource(std::move(*user), "gcloud's application default credentials adc.json",
                                         TokenEndpointClient(FakeFactory(http)({}), clock, DefaultTokenRetry()));
  }
  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  FakeClock clock;
};

TEST_F(AuthorizedUserTest, PostsARefreshTokenGrant) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("ya29.user", 3599)); };
  auto source = Source(AuthorizedUserJson());
  auto token = source->Fetch();
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->token, "ya29.user");
  const RecordedRequest& r = http->requests.at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(r.HeaderValue("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(FormValue(r.body, "grant_type"), "refresh_token");
  EXPECT_EQ(FormValue(r.body, "client_id"), "764086051850-test.apps.googleusercontent.com");
  EXPECT_EQ(FormValue(r.body, "client_secret"), "d-FL95Q19q7MQmFpd7hHD0Ty");
  EXPECT_EQ(FormValue(r.body, "refresh_token"), "1//0gREFRESH-token-secret-value");
  EXPECT_EQ(FormValue(r.body, "scope"), "<absent>");  // the scopes were fixed at login
  EXPECT_EQ(source->Describe(), "authorized user, gcloud's application default credentials adc.json");
}

TEST_F(AuthorizedUserTest, UsesTheFilesTokenUriAndAccount) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("t")); };
  auto json = AuthorizedUserJson();
  json["token_uri"] = "http://localhost:5000/token";
  json["account"] = "researcher@example.org";
  auto source = Source(json);
  ASSERT_TRUE(source->Fetch().ok());
  EXPECT_EQ(http->requests.at(0).url, "http://localhost:5000/token");
  EXPECT_EQ(source->Describe(),
            "authorized user researcher@example.org, gcloud's application default credentials adc.json");
}

TEST_F(AuthorizedUserTest, RevokedRefreshTokenSaysToLogInAgain) {
  http->handler = [](const RecordedRequest&) {
    return Result<HttpResponse>(
        Reply(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"));
  };
  auto token = Source(AuthorizedUserJson())->Fetch();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(token.status().message(),
            "https://oauth2.googleapis.com/token refused the refresh token in gcloud's application default "
            "credentials adc.json (HTTP 400: invalid_grant: Token has been expired or revoked.); the refresh token "
            "was revoked or has expired (or the file is damaged); run `gcloud auth application-default login "
            "--no-browser --scopes=https://www.googleapis.com/auth/devstorage.read_write` again");
}

TEST_F(AuthorizedUserTest, MissingFieldsAreNamed) {
  for (const char* field : {"client_id", "client_secret", "refresh_token"}) {
    auto json = AuthorizedUserJson();
    json.erase(field);
    auto user = ParseAuthorizedUser(json, "adc.json");
    ASSERT_FALSE(user.ok());
    EXPECT_EQ(user.status().message(), std::string("adc.json has no \"") + field + "\" text; run `" +
                                           kGcloudLoginCommand + "` again to write a complete file");
  }
  auto json = AuthorizedUserJson();
  json["token_uri"] = "http://example.com/token";
  EXPECT_NE(ParseAuthorizedUser(json, "adc.json").status().message().find("must use https"), std::string::npos);
}

}  // namespace
}  // namespace nc2zarr
