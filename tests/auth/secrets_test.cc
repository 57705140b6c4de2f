// Every message the credentials code can produce, in success and failure,
// is captured and searched for the secrets it handled: none may appear.
#include <sstream>

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"
#include "nc2zarr/auth/resolve_credentials.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using namespace testing_auth;
using namespace std::chrono_literals;

constexpr char kAccessToken[] = "ya29.SECRET-access-token-0001";
constexpr char kRefreshToken[] = "1//SECRET-refresh-token-0002";
constexpr char kClientSecret[] = "SECRET-client-secret-0003";
constexpr char kFileToken[] = "ya29.SECRET-file-token-0004";

HttpResponse Flavored(HttpResponse r) {
  r.headers["metadata-flavor"] = "Google";  // so that the metadata server flow gets as far
  return r;
}

class SecretsTest : public ::testing::Test {
 protected:
  SecretsTest() {
    options.getenv = [](const std::string&) { return std::nullopt; };
    options.make_transport = FakeFactory(http);
    options.clock = &clock;
    options.refresh.now = wall.Function();
    options.refresh.max_jitter = 0s;
    ConfigureLog(LogLevel::kDebug, 0, 1);
    ::testing::internal::CaptureStderr();
  }
  ~SecretsTest() override { ConfigureLog(LogLevel::kWarning, 0, 1); }

  // Resolves, asks for a header, and asks again after a 401 and near
  // expiry; keeps every message and description.
  void Exercise(const CredentialOptions& o) {
    auto resolved = ResolveCredentials(o);
    if (!resolved.ok()) {
      messages << resolved.status().message() << "\n";
      return;
    }
    messages << resolved->description << "\n" << resolved->identity << "\n";
    for (int round = 0; round < 3; ++round) {
      auto header = resolved->credentials->AuthorizationHeader();
      if (header.ok()) {
        EXPECT_TRUE(header->empty() || header->rfind("Bearer ", 0) == 0);
      } else {
        messages << header.status().message() << "\n";
      }
      if (round == 0) resolved->credentials->Invalidate();
      if (round == 1) wall.Advance(3500s);  // inside the refresh window, still valid
    }
  }

  std::string Everything() { return messages.str() + ::testing::internal::GetCapturedStderr(); }

  std::vector<std::string> Secrets() const {
    std::vector<std::string> secrets = {kAccessToken, kRefreshToken, kClientSecret, kFileToken};
    std::istringstream pem(TestKeys().private_pem);
    for (std::string line; std::getline(pem, line);) {
      if (line.find("-----") == std::string::npos) secrets.push_back(line);
    }
    std::lock_guard lock(http->mutex);
    for (const RecordedRequest& r : http->requests) {
      if (FormValue(r.body, "assertion") != "<absent>") secrets.push_back(FormValue(r.body, "assertion"));
    }
    return secrets;
  }

  TempDir dir;
  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  FakeClock clock;
  FakeWallClock wall;
  CredentialOptions options;
  std::ostringstream messages;
};

TEST_F(SecretsTest, NoMessageEverHoldsASecret) {
  // Servers that answer, refuse while quoting what they got, fail, or talk nonsense.
  const std::vector<std::function<Result<HttpResponse>(const RecordedRequest&)>> servers = {
      [](const RecordedRequest&) { return Result<HttpResponse>(Flavored(TokenReply(kAccessToken, 3600))); },
      // Answers once, then refuses: the refresh ahead of expiry fails.
      [calls = std::make_shared<int>(0)](const RecordedRequest& r) {
        if ((*calls)++ < 2) return Result<HttpResponse>(Flavored(TokenReply(kAccessToken, 3600)));
        return Result<HttpResponse>(Flavored(Reply(400, R"({"error":"invalid_grant","error_description":")" +
                                                            std::string(kAccessToken) + " " + r.body + "\"}")));
      },
      [](const RecordedRequest& r) {
        nlohmann::json error = {{"error", "invalid_grant"}, {"error_description", "you sent " + r.body}};
        return Result<HttpResponse>(Reply(400, error.dump()));
      },
      [](const RecordedRequest& r) {
        return Result<HttpResponse>(Reply(401, R"({"error":{"message":")" + r.body + "\"}}"));
      },
      [](const RecordedRequest& r) { return Result<HttpResponse>(Reply(500, r.body)); },
      [](const RecordedRequest&) {
        return Result<HttpResponse>(Reply(200, std::string(R"({"access_token":")") + kAccessToken + "\\n\"}"));
      },
      [](const RecordedRequest&) {
        return Result<HttpResponse>(
            Reply(200, std::string(R"({"access_token":")") + kAccessToken + R"(","token_type":"MAC"})"));
      },
      [](const RecordedRequest&) { return Result<HttpResponse>(Status(ErrorCode::kUnavailable, "refused")); },
  };
  auto sa = ServiceAccountJson();
  auto user = AuthorizedUserJson();
  user["client_secret"] = kClientSecret;
  user["refresh_token"] = kRefreshToken;
  const std::string sa_path = dir.Write("sa.json", sa.dump(), 0644);
  const std::string user_path = dir.Write("user.json", user.dump(), 0644);
  for (const auto& server : servers) {
    http->handler = server;
    CredentialOptions o = options;
    o.credentials_file = sa_path;
    Exercise(o);
    o.credentials_file = user_path;
    Exercise(o);
    o.credentials_file.clear();
    o.getenv = [](const std::string& name) -> std::optional<std::string> {
      if (name == "GCE_METADATA_HOST") return "127.0.0.1:1";
      return std::nullopt;
    };
    Exercise(o);
  }
  // Broken files, cut in the middle of a secret or holding a wrong one.
  const std::string sa_text = sa.dump(), user_text = user.dump();
  for (const std::string& text :
       {sa_text.substr(0, sa_text.find("BEGIN") + 200), user_text.substr(0, user_text.find(kRefreshToken) + 10),
        nlohmann::json{{"type", kClientSecret}}.dump()}) {
    CredentialOptions o = options;
    o.credentials_file = dir.Write("broken.json", text);
    Exercise(o);
  }
  auto bad_key = sa;
  bad_key["private_key"] = TestKeys().private_pem.substr(0, 400);
  CredentialOptions o = options;
  o.credentials_file = dir.Write("bad_key.json", bad_key.dump());
  Exercise(o);
  for (const std::string& text : {std::string("Bearer ") + kFileToken, std::string(kFileToken) + "\x01",
                                  std::string("{\"t\":\"") + kFileToken + "\"}", std::string(kFileToken)}) {
    o = options;
    o.token_file = dir.Write("token.txt", text, 0644);
    Exercise(o);
  }

  const std::string everything = Everything();
  // The cases ran: refusals, warnings and debug lines are all in there.
  EXPECT_NE(everything.find("refused the key of service account"), std::string::npos);
  EXPECT_NE(everything.find("refused the refresh token in credentials file"), std::string::npos);
  EXPECT_NE(everything.find("run chmod 600"), std::string::npos);
  EXPECT_NE(everything.find("got an access token from"), std::string::npos);
  EXPECT_NE(everything.find("still holds the token the server rejected"), std::string::npos);
  EXPECT_NE(everything.find("could not refresh the access token ahead of expiry"), std::string::npos);
  const auto secrets = Secrets();
  EXPECT_GT(secrets.size(), 20u);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    EXPECT_EQ(everything.find(secrets[i]), std::string::npos) << "a message holds secret #" << i;
  }
}

}  // namespace
}  // namespace nc2zarr
