#include "nc2zarr/auth/token_endpoint.h"

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"

namespace nc2zarr {
namespace {

using testing_auth::Reply;
using testing_auth::TokenReply;

TEST(TokenEndpoint, LoopbackHosts) {
  for (const char* host :
       {"127.0.0.1", "127.0.0.1:8080", "127.3.4.5:1", "localhost", "LOCALHOST:9", "[::1]", "[::1]:8080", "::1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"128.0.0.1", "10.0.0.1", "169.254.169.254", "localhost.evil.com", "[::2]:80", "127.0.0.1.nip.io", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(TokenEndpoint, UrlHostDropsUserInfoAndPath) {
  EXPECT_EQ(UrlHost("https://oauth2.googleapis.com/token"), "oauth2.googleapis.com");
  EXPECT_EQ(UrlHost("http://user:pw@127.0.0.1:80/token?x=1"), "127.0.0.1:80");
  EXPECT_EQ(UrlHost("http://127.0.0.1:1#@evil.example/x"), "127.0.0.1:1");  // a fragment is not the host
}

TEST(TokenEndpoint, CredentialsGoOnlyToHttpsOrLoopback) {
  EXPECT_TRUE(CheckTokenEndpoint("https://oauth2.googleapis.com/token", "key.json").ok());
  EXPECT_TRUE(CheckTokenEndpoint("http://127.0.0.1:4567/token", "key.json").ok());
  EXPECT_TRUE(CheckTokenEndpoint("http://[::1]:4567/token", "key.json").ok());
  for (const char* url : {"http://oauth2.googleapis.com/token", "ftp://127.0.0.1/token", "oauth2.googleapis.com",
                          "http://10.1.2.3/token"}) {
    Status s = CheckTokenEndpoint(url, "credentials file k.json");
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << url;
    EXPECT_EQ(s.message().rfind("credentials file k.json: token endpoint", 0), 0u) << s.message();
    EXPECT_NE(s.message().find("must use https"), std::string::npos) << s.message();
  }
  EXPECT_NE(CheckTokenEndpoint("https://a b/", "k").message().find("is not a URL"), std::string::npos);
  // A password in the URL is refused without being shown.
  Status with_password = CheckTokenEndpoint("https://user:PASSWD123@oauth2.example/token", "k");
  EXPECT_EQ(with_password.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(with_password.message().find("PASSWD123"), std::string::npos) << with_password.message();
}

TEST(TokenEndpoint, EncodesForms) {
  EXPECT_EQ(EncodeForm({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"a", "x y&z"}}),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&a=x%20y%26z");
}

const TokenRequestContext kContext{
    "https://oauth2.googleapis.com/token", "the refresh token in adc.json", "run gcloud again", {"1//secret-refresh"}};

TEST(TokenEndpoint, ParsesATokenReply) {
  auto token = ParseTokenResponse(TokenReply("ya29.abc", 3599), kContext);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->token, "ya29.abc");
  EXPECT_EQ(token->expires_in, std::chrono::seconds(3599));
  // Some servers send expires_in as a string, and leave out token_type.
  token = ParseTokenResponse(Reply(200, R"({"access_token":"x","expires_in":"60"})"), kContext);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_in, std::chrono::seconds(60));
  token = ParseTokenResponse(Reply(200, R"({"access_token":"x","token_type":"bearer"})"), kContext);
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(token->expires_in);
  // Lifetimes no token has are a day: added to the clock, they overflowed.
  for (const char* huge : {R"("99999999999")", "9223372036854775807", "1e300", R"("999999999999999999999999")"}) {
    token = ParseTokenResponse(Reply(200, std::string(R"({"access_token":"x","expires_in":)") + huge + "}"), kContext);
    ASSERT_TRUE(token.ok()) << huge << ": " << token.status().message();
    EXPECT_EQ(token->expires_in, std::chrono::seconds(24 * 3600)) << huge;
  }
}

TEST(TokenEndpoint, RefusesRepliesThatAreNotTokens) {
  const std::pair<const char*, const char*> cases[] = {
      {"<html>", "not a JSON object"},
      {R"({"expires_in":3599})", "no \"access_token\""},
      {R"({"access_token":"a\r\nX-Injected: 1"})", "the access token holds spaces or control characters"},
      {R"({"access_token":"a","token_type":"MAC"})", "token_type is not Bearer"},
      {R"({"access_token":"a","expires_in":"soon"})", "expires_in is not a number"},
      {R"({"access_token":"a","expires_in":0})", "the token has already expired"},
  };
  for (const auto& [body, why] : cases) {
    auto token = ParseTokenResponse(Reply(200, body), kContext);
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.status().message(), std::string("https://oauth2.googleapis.com/token answered 200 but not with "
                                                    "an access token (") +
                                            why +
                                            "); check that https://oauth2.googleapis.com/token is an OAuth "
                                            "token endpoint");
  }
}

TEST(TokenEndpoint, InvalidGrantIsOneLineNamingEndpointCredentialAndFix) {
  auto token = ParseTokenResponse(
      Reply(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"), kContext);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(token.status().message(),
            "https://oauth2.googleapis.com/token refused the refresh token in adc.json (HTTP 400: invalid_grant: "
            "Token has been expired or revoked.); run gcloud again");
}

TEST(TokenEndpoint, ServerTextIsSanitizedAndSecretsRedacted) {
  auto token = ParseTokenResponse(
      Reply(401, R"({"error":"invalid_client","error_description":"bad token 1//secret-refresh\nnext line"})"),
      kContext);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().message().find("1//secret-refresh"), std::string::npos);
  EXPECT_NE(token.status().message().find("bad token [redacted] next line"), std::string::npos);
  token = ParseTokenResponse(
      Reply(400, R"({"error":"invalid_grant","error_description":"ya29.a0Af-x_y was revoked; 1//0gAb-c too"})"),
      kContext);
  EXPECT_NE(token.status().message().find("invalid_grant: [redacted] was revoked; [redacted] too"), std::string::npos)
      << token.status().message();
  token = ParseTokenResponse(Reply(400, std::string(1000, 'x')), kContext);
  EXPECT_EQ(token.status().message().find("xxx"), std::string::npos);  // a body that is not JSON is not shown
  token = ParseTokenResponse(Reply(403, R"({"error":")" + std::string(500, 'y') + R"("})"), kContext);
  EXPECT_LT(token.status().message().size(), 400u);
}

TEST(TokenEndpoint, OtherStatusesSayWhatToCheck) {
  auto token = ParseTokenResponse(Reply(404, "Not Found"), kContext);
  EXPECT_EQ(token.status().code(), ErrorCode::kIo);
  EXPECT_NE(token.status().message().find("(HTTP 404)"), std::string::npos);
  token = ParseTokenResponse(Reply(501, ""), kContext);
  EXPECT_EQ(token.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(token.status().message().find("try again later"), std::string::npos);
}

TEST(TokenEndpointClient, RetriesServerErrorsWithoutSleeping) {
  auto http = std::make_shared<testing_auth::FakeHttp>();
  int calls = 0;
  http->handler = [&](const testing_auth::RecordedRequest&) -> Result<HttpResponse> {
    if (++calls < 3) return Reply(503, "");
    return TokenReply("ya29.ok");
  };
  testing_auth::FakeClock clock;
  TokenEndpointClient client(testing_auth::FakeFactory(http)({}), clock, DefaultTokenRetry());
  HttpRequest request;
  request.url = "https://oauth2.googleapis.com/token";
  auto response = client.Send(request, kContext);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(calls, 3);
  EXPECT_GT(clock.slept.count(), 0);
}

TEST(TokenEndpointClient, AnUnreachableEndpointIsOneLineWithAdvice) {
  auto http = std::make_shared<testing_auth::FakeHttp>();  // refuses every connection
  testing_auth::FakeClock clock;
  TokenEndpointClient client(testing_auth::FakeFactory(http)({}), clock, DefaultTokenRetry());
  HttpRequest request;
  request.url = "https://oauth2.googleapis.com/token";
  auto response = client.Send(request, kContext);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(http->Count(), 5u);
  EXPECT_EQ(response.status().message(),
            "asking https://oauth2.googleapis.com/token for an access token: gave up after 5 attempt(s): GET to a "
            "test host failed: refused; check the network, or whether https://oauth2.googleapis.com/token is right");
}

}  // namespace
}  // namespace nc2zarr
