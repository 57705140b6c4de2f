// End to end with the real curl transport and clocks: service account,
// authorized user and metadata server flows against the loopback token
// endpoint of tests/auth_server/auth_server.py, which verifies the JWT's
// RS256 signature with the public half of the key made here. Built as its
// own program (tests/cmake/auth.cmake) as it needs Python and a free port.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/auth_test_support.h"
#include "nc2zarr/auth/resolve_credentials.h"

extern char** environ;

namespace nc2zarr {
namespace {

using namespace testing_auth;
using namespace std::chrono_literals;

// The server process, shared by every test.
class AuthServerProcess {
 public:
  static AuthServerProcess& Get() {
    static AuthServerProcess server;
    return server;
  }
  ~AuthServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool running() const { return port_ > 0; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }
  const TempDir& dir() const { return dir_; }
  std::string Log() const {
    std::ifstream in(dir_.Path("server.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  AuthServerProcess() {
    const std::string public_key = dir_.Write("public.pem", TestKeys().public_pem);
    auto user = AuthorizedUserJson();
    nlohmann::json config = {{"public_key", public_key},
                             {"key_id", "kid-0123"},
                             {"client_email", "uploader@proj.iam.gserviceaccount.com"},
                             {"scope", kStorageReadWriteScope},
                             {"clients",
                              {{{"client_id", user["client_id"]},
                                {"client_secret", user["client_secret"]},
                                {"refresh_token", user["refresh_token"]}}}}};
    const std::string config_path = dir_.Write("config.json", config.dump());
    const std::string port_file = dir_.Path("port");
    std::vector<std::string> args = {NC2ZARR_PYTHON,
                                     NC2ZARR_AUTH_SERVER,
                                     "--config",
                                     config_path,
                                     "--port",
                                     "0",
                                     "--port-file",
                                     port_file,
                                     "--log",
                                     dir_.Path("requests.log"),
                                     "--exit-with-parent"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, dir_.Path("server.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 500 && pid_ > 0 && !std::filesystem::exists(port_file); ++i) {
      std::this_thread::sleep_for(20ms);
    }
    std::ifstream(port_file) >> port_;
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

Result<HttpResponse> Exchange(const std::string& method, const std::string& url, const std::string& body = "",
                              const std::string& authorization = "") {
  HttpRequest request;
  request.method = method;
  request.url = url;
  if (!authorization.empty()) request.headers = {{"Authorization", authorization}};
  request.body = std::as_bytes(std::span(body.data(), body.size()));
  return MakeCurlTransport()->Send(request);
}

class CurlTokenFlows : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server().running()) << "the auth server did not start: " << server().Log();
    Control("reset");
    options.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    env["HOME"] = server().dir().Path("no-home");
    options.token_retry.initial_backoff = 50ms;
  }
  void TearDown() override {
    // Whatever happened, the server saw no secret in its log, and nor did ours.
    const std::string logs = server().Log() + ReadFile(server().dir().Path("requests.log"));
    auto user = AuthorizedUserJson();
    for (const std::string& secret : std::vector<std::string>{user["client_secret"], user["refresh_token"]}) {
      EXPECT_EQ(logs.find(secret), std::string::npos);
    }
    for (const std::string& token : tokens_seen) EXPECT_EQ(logs.find(token), std::string::npos);
  }

  static AuthServerProcess& server() { return AuthServerProcess::Get(); }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Control(const std::string& command, const nlohmann::json& order = nlohmann::json::object()) {
    auto r = Exchange("POST", server().Url("/_control/" + command), order.dump());
    ASSERT_TRUE(r.ok() && r->status == 200) << command;
  }
  nlohmann::json Stats() { return nlohmann::json::parse(Exchange("GET", server().Url("/_control/stats"))->body); }

  std::string WriteServiceAccount(const std::string& private_pem = TestKeys().private_pem) {
    auto json = ServiceAccountJson(server().Url("/token"));
    json["private_key"] = private_pem;
    return server().dir().Write("sa.json", json.dump());
  }
  std::string WriteAuthorizedUser() {
    auto json = AuthorizedUserJson();
    json["token_uri"] = server().Url("/token");
    return server().dir().Write("user.json", json.dump());
  }

  // A token, remembered so TearDown can look for it in the logs.
  std::string Header(Credentials& credentials) {
    auto header = credentials.AuthorizationHeader();
    EXPECT_TRUE(header.ok()) << header.status().message();
    if (!header.ok()) return "";
    tokens_seen.push_back(header->substr(7));
    return *header;
  }

  // A storage-like request (the server's /check wants a live token of its
  // own) through the retry loop the GCS client uses.
  long Check(Credentials& credentials, RetryCounters* counters = nullptr) {
    auto r = RetryLoop(
        RetryOptions{}, RealClock(), &credentials, true, "checking",
        [&](const std::string& authorization) {
          if (!authorization.empty()) tokens_seen.push_back(authorization.substr(7));
          return Exchange("GET", server().Url("/check"), "", authorization);
        },
        counters);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->status : 0;
  }

  std::map<std::string, std::string> env;
  CredentialOptions options;
  std::vector<std::string> tokens_seen;
};

TEST_F(CurlTokenFlows, ServiceAccount) {
  options.credentials_file = WriteServiceAccount();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->identity, "uploader@proj.iam.gserviceaccount.com");
  EXPECT_EQ(Check(*resolved->credentials), 200);
  EXPECT_GT(resolved->RemainingLifetime().value_or(0s), 3500s);
  EXPECT_EQ(Stats()["jwt_bearer"], 1);
}

TEST_F(CurlTokenFlows, AKeyTheServerDoesNotKnowIsRefused) {
  EVP_PKEY* other = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, other, nullptr, nullptr, 0, nullptr, nullptr);
  options.credentials_file = WriteServiceAccount(BioText(bio));
  BIO_free(bio);
  EVP_PKEY_free(other);
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  auto header = resolved->credentials->AuthorizationHeader();
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message().rfind(server().Url("/token") + " refused the key of service account "
                                                                     "uploader@proj.iam.gserviceaccount.com in "
                                                                     "credentials file",
                                            0),
            0u)
      << header.status().message();
  EXPECT_NE(header.status().message().find("(HTTP 400: invalid_grant: Invalid JWT Signature.)"), std::string::npos);
}

TEST_F(CurlTokenFlows, AuthorizedUser) {
  options.credentials_file = WriteAuthorizedUser();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kAuthorizedUser);
  EXPECT_EQ(Check(*resolved->credentials), 200);
  EXPECT_EQ(Stats()["refresh_token"], 1);
}

TEST_F(CurlTokenFlows, MetadataServer) {
  env["GCE_METADATA_HOST"] = server().HostPort();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kMetadataServer);
  EXPECT_EQ(Check(*resolved->credentials), 200);
  EXPECT_EQ(Stats()["metadata"], 1);  // the probe's token served the request
}

TEST_F(CurlTokenFlows, UnreachableMetadataServerFailsFast) {
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(probe);  // nothing listens on that port now
  env["GCE_METADATA_HOST"] = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  const auto start = std::chrono::steady_clock::now();
  auto resolved = ResolveCredentials(options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(resolved.status().message().find("fix or unset GCE_METADATA_HOST"), std::string::npos);
}

TEST_F(CurlTokenFlows, ShortLivedTokensAreRefreshedAheadOfExpiry) {
  Control("expires_in", {{"expires_in", 2}});
  options.credentials_file = WriteServiceAccount();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  const std::string first = Header(*resolved->credentials);
  EXPECT_EQ(Check(*resolved->credentials), 200);
  std::this_thread::sleep_for(1100ms);  // past half the lifetime: due for refresh
  const std::string second = Header(*resolved->credentials);
  EXPECT_NE(first, second);
  EXPECT_EQ(Check(*resolved->credentials), 200);
  EXPECT_EQ(Stats()["jwt_bearer"], 2);
  EXPECT_EQ(Stats()["checks_refused"], 0);
}

TEST_F(CurlTokenFlows, ARevokedTokenIsReplacedAfterThe401) {
  options.credentials_file = WriteAuthorizedUser();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(Check(*resolved->credentials), 200);
  Control("revoke");
  RetryCounters counters;
  EXPECT_EQ(Check(*resolved->credentials, &counters), 200);
  EXPECT_EQ(counters.refreshes, 1u);
  EXPECT_EQ(Stats()["refresh_token"], 2);
}

TEST_F(CurlTokenFlows, InvalidGrantIsOneClearLineAndServerErrorsAreRetried) {
  options.credentials_file = WriteAuthorizedUser();
  Control("fail", {{"target", "token"},
                   {"status", 400},
                   {"error", "invalid_grant"},
                   {"description", "Token has been expired or revoked."}});
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  auto header = resolved->credentials->AuthorizationHeader();
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message(),
            server().Url("/token") + " refused the refresh token in credentials file " + options.credentials_file +
                " (--credentials) (HTTP 400: invalid_grant: Token has been expired or revoked.); the refresh token "
                "was revoked or has expired (or the file is damaged); run `gcloud auth application-default login "
                "--no-browser --scopes=https://www.googleapis.com/auth/devstorage.read_write` again");
  Control("fail", {{"target", "token"}, {"status", 503}, {"error", "backend_error"}, {"count", 2}});
  EXPECT_EQ(Check(*resolved->credentials), 200);
  EXPECT_EQ(Stats()["refused"], 3);
}

}  // namespace
}  // namespace nc2zarr
