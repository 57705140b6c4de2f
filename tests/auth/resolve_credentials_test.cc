#include "nc2zarr/auth/resolve_credentials.h"

#include <sys/resource.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using namespace testing_auth;
using namespace std::chrono_literals;

const std::map<std::string, std::string> kFlavor{{"metadata-flavor", "Google"}};
constexpr char kMetadataUrl[] = "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token";

class ResolveTest : public ::testing::Test {
 protected:
  ResolveTest() {
    env["HOME"] = dir.Path("home");  // no gcloud file there unless a test writes one
    options.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    options.make_transport = FakeFactory(http);
    options.clock = &clock;
    options.refresh.now = wall.Function();
    options.refresh.seed = 7;
  }

  std::string WriteJson(const std::string& name, const nlohmann::json& json) { return dir.Write(name, json.dump(2)); }

  void AnswerTokenRequests() {
    http->handler = [](const RecordedRequest& r) -> Result<HttpResponse> {
      if (r.url == kMetadataUrl) {
        HttpResponse reply = TokenReply("ya29.from-metadata", 1800);
        reply.headers = kFlavor;
        return reply;
      }
      return TokenReply(r.body.find("refresh_token") != std::string::npos ? "ya29.user" : "ya29.sa");
    };
  }

  TempDir dir;
  std::map<std::string, std::string> env;
  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  FakeClock clock;
  FakeWallClock wall;
  CredentialOptions options;
};

// Each case runs in a child process (a death test), which may write core
// files before the call: the limit it leaves shows whether a crash would
// write the secrets to one.
rlim_t CoreLimitAfterResolving(const CredentialOptions& options) {
  rlimit limit{};
  getrlimit(RLIMIT_CORE, &limit);
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 30 : limit.rlim_max;
  setrlimit(RLIMIT_CORE, &limit);
  (void)ResolveCredentials(options);
  getrlimit(RLIMIT_CORE, &limit);
  return limit.rlim_cur;
}

TEST_F(ResolveTest, CredentialsTurnCoreFilesOffAndAnonymousLeavesThem) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &limit), 0);
  if (limit.rlim_max == 0) GTEST_SKIP() << "core files are off for good here (hard RLIMIT_CORE 0)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  options.token_file = dir.Write("token.txt", "ya29.secret-token\n");
  EXPECT_EXIT(_exit(CoreLimitAfterResolving(options) == 0 ? 0 : 1), ::testing::ExitedWithCode(0), "");
  options.token_file.clear();
  options.anonymous = true;
  EXPECT_EXIT(_exit(CoreLimitAfterResolving(options) == 0 ? 1 : 0), ::testing::ExitedWithCode(0), "");
}

TEST_F(ResolveTest, TokenFileComesFirstAndIsReadAtOnce) {
  options.token_file = dir.Write("token.txt", "ya29.hub-token\n");
  env["GOOGLE_APPLICATION_CREDENTIALS"] = WriteJson("sa.json", ServiceAccountJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kTokenFile);
  EXPECT_EQ(resolved->identity, "token file " + options.token_file);
  EXPECT_EQ(resolved->description, "token file " + options.token_file);
  ASSERT_TRUE(resolved->cache->Current());
  EXPECT_EQ(resolved->cache->Current()->token, "ya29.hub-token");
  EXPECT_FALSE(resolved->RemainingLifetime());
  EXPECT_EQ(*resolved->credentials->AuthorizationHeader(), "Bearer ya29.hub-token");
  EXPECT_EQ(http->Count(), 0u);

  options.token_file = dir.Path("missing.txt");
  auto missing = ResolveCredentials(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "cannot read token file " + options.token_file + ": No such file or directory");
}

TEST_F(ResolveTest, ExplicitChoicesExcludeEachOther) {
  options.token_file = "t.txt";
  options.anonymous = true;
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(resolved.status().message(),
            "--token-file, --credentials and --anonymous exclude each other; give one of them");
}

TEST_F(ResolveTest, AnonymousLooksForNothing) {
  options.anonymous = true;
  env["GOOGLE_APPLICATION_CREDENTIALS"] = WriteJson("sa.json", ServiceAccountJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->source, CredentialSource::kAnonymous);
  EXPECT_EQ(resolved->cache, nullptr);
  EXPECT_EQ(*resolved->credentials->AuthorizationHeader(), "");
  EXPECT_EQ(resolved->description, "anonymous (no credentials)");
  EXPECT_EQ(http->Count(), 0u);
}

TEST_F(ResolveTest, CredentialsOptionBeatsTheEnvironment) {
  options.credentials_file = WriteJson("sa.json", ServiceAccountJson());
  env["GOOGLE_APPLICATION_CREDENTIALS"] = WriteJson("user.json", AuthorizedUserJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kServiceAccount);
  EXPECT_EQ(resolved->identity, "uploader@proj.iam.gserviceaccount.com");
  EXPECT_EQ(resolved->description, "service account uploader@proj.iam.gserviceaccount.com, credentials file " +
                                       options.credentials_file + " (--credentials)");
  EXPECT_EQ(http->Count(), 0u);  // nothing is fetched until asked
  AnswerTokenRequests();
  EXPECT_EQ(*resolved->credentials->AuthorizationHeader(), "Bearer ya29.sa");
  EXPECT_EQ(resolved->RemainingLifetime(), 3599s);
}

TEST_F(ResolveTest, GoogleApplicationCredentials) {
  const std::string path = WriteJson("user.json", AuthorizedUserJson());
  env["GOOGLE_APPLICATION_CREDENTIALS"] = path;
  WriteJson("home/.config/gcloud/application_default_credentials.json", ServiceAccountJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kAuthorizedUser);
  EXPECT_EQ(resolved->identity, "authorized user");
  EXPECT_EQ(resolved->description, "authorized user, credentials file " + path + " (GOOGLE_APPLICATION_CREDENTIALS)");
}

TEST_F(ResolveTest, AMissingFileNamedByTheEnvironmentIsAnError) {
  env["GOOGLE_APPLICATION_CREDENTIALS"] = dir.Path("gone.json");
  WriteJson("home/.config/gcloud/application_default_credentials.json", AuthorizedUserJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "cannot read credentials file " + dir.Path("gone.json") +
                " (GOOGLE_APPLICATION_CREDENTIALS): No such file or directory; fix the path or unset "
                "GOOGLE_APPLICATION_CREDENTIALS");
}

TEST_F(ResolveTest, GcloudsWellKnownFileUnderHome) {
  const std::string path = WriteJson("home/.config/gcloud/application_default_credentials.json", AuthorizedUserJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kAuthorizedUser);
  EXPECT_EQ(resolved->description, "authorized user, gcloud's application default credentials " + path);
}

TEST_F(ResolveTest, CloudsdkConfigReplacesHome) {
  WriteJson("home/.config/gcloud/application_default_credentials.json", AuthorizedUserJson());
  env["CLOUDSDK_CONFIG"] = dir.Path("gcloud-config");
  const std::string path = WriteJson("gcloud-config/application_default_credentials.json", ServiceAccountJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kServiceAccount);
  EXPECT_NE(resolved->description.find(path), std::string::npos);
}

TEST_F(ResolveTest, MetadataServerWhenNoFileIsFoundAndItsTokenIsKept) {
  AnswerTokenRequests();
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->source, CredentialSource::kMetadataServer);
  EXPECT_EQ(resolved->identity, "metadata server");
  EXPECT_EQ(resolved->description, "metadata server 169.254.169.254 (the VM's default service account)");
  EXPECT_EQ(resolved->RemainingLifetime(), 1800s);
  EXPECT_EQ(*resolved->credentials->AuthorizationHeader(), "Bearer ya29.from-metadata");
  EXPECT_EQ(http->Count(), 1u);  // the probe's token is the first token
  ASSERT_FALSE(http->transports.empty());
  EXPECT_EQ(http->transports.front().connect_timeout, 1000ms);
}

TEST_F(ResolveTest, GceMetadataHostIsUsedAndMustAnswer) {
  env["GCE_METADATA_HOST"] = "127.0.0.1:8411";
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(http->requests.at(0).url,
            "http://127.0.0.1:8411/computeMetadata/v1/instance/service-accounts/default/token");
  const std::string& m = resolved.status().message();
  EXPECT_EQ(m.rfind("asking the metadata server at 127.0.0.1:8411 (GCE_METADATA_HOST) for an access token", 0), 0u)
      << m;
  const std::string fix = "; fix or unset GCE_METADATA_HOST";
  EXPECT_EQ(m.substr(m.size() - fix.size()), fix);

  env["GCE_METADATA_HOST"] = "http://127.0.0.1:8411/";
  EXPECT_NE(ResolveCredentials(options).status().message().find("GCE_METADATA_HOST must be a host or host:port"),
            std::string::npos);
}

TEST_F(ResolveTest, SomethingElseAtTheMetadataAddressIsNotAMetadataServer) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("from-an-impostor")); };
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(resolved.status().message().find("the metadata server at 169.254.169.254 (what answered was not one)"),
            std::string::npos);
}

TEST_F(ResolveTest, AtLeastOneScope) {
  options.scopes.clear();
  options.credentials_file = WriteJson("sa.json", ServiceAccountJson());
  EXPECT_EQ(ResolveCredentials(options).status().code(), ErrorCode::kUsage);
}

TEST_F(ResolveTest, AMetadataServerThatRefusesIsAnError) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(Reply(404, "no account", kFlavor)); };
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kIo);
  EXPECT_NE(resolved.status().message().find("(HTTP 404)"), std::string::npos);
}

TEST_F(ResolveTest, NothingFoundListsWhatWasTriedAndTheGcloudCommand) {
  auto resolved = ResolveCredentials(options);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(resolved.status().message(),
            "no Google credentials found (tried GOOGLE_APPLICATION_CREDENTIALS (not set), " + dir.Path("home") +
                "/.config/gcloud/application_default_credentials.json (no such file), the metadata server at "
                "169.254.169.254 (none answered)); on an HPC login node run `gcloud auth application-default login "
                "--no-browser --scopes=https://www.googleapis.com/auth/devstorage.read_write` and follow its "
                "prompts, or give --token-file FILE, --credentials KEY.json, or --anonymous for a public bucket");
  EXPECT_EQ(http->Count(), 1u);  // one quick try, no retries
  EXPECT_EQ(clock.slept, 0ms);

  env.erase("HOME");
  EXPECT_NE(ResolveCredentials(options).status().message().find(
                "gcloud's application default credentials (neither CLOUDSDK_CONFIG nor HOME is set)"),
            std::string::npos);
}

TEST_F(ResolveTest, BadCredentialsFilesAreOneLineNamingTheFile) {
  const std::string prefix = "credentials file " + dir.Path("c.json") + " (--credentials)";
  const std::string supported =
      "nc2zarr takes a service account key (\"service_account\") or gcloud's file (\"authorized_user\", from "
      "`gcloud auth application-default login --no-browser "
      "--scopes=https://www.googleapis.com/auth/devstorage.read_write`)";
  const std::pair<std::string, std::string> cases[] = {
      {"{\"type\": \"service_account\",",
       prefix + " is not valid JSON (error at line 1, column 28); download the key again (or, for gcloud's file, run "
                "`gcloud auth application-default login` again), or give a bearer token with --token-file"},
      {R"({"type": "external_account"})",
       prefix + " holds credentials of type \"external_account\", which are not supported; " + supported},
      {R"({"client_email": "a@b"})", prefix + " has no \"type\" text; " + supported},
      {R"({"type": "something else"})", prefix + " holds credentials of an unknown type; " + supported},
  };
  for (const auto& [text, expected] : cases) {
    options.credentials_file = dir.Write("c.json", text);
    auto resolved = ResolveCredentials(options);
    ASSERT_FALSE(resolved.ok()) << text;
    EXPECT_EQ(resolved.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(resolved.status().message(), expected);
  }
}

TEST_F(ResolveTest, PermissionWarningCanBeTurnedOff) {
  options.credentials_file = dir.Write("open.json", ServiceAccountJson().dump(), 0644);
  ConfigureLog(LogLevel::kWarning, 0, 1);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(ResolveCredentials(options).ok());
  options.warn_open_permissions = false;
  ASSERT_TRUE(ResolveCredentials(options).ok());
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(log, "nc2zarr: warning: credentials file " + options.credentials_file +
                     " (--credentials) holds credentials but other users may access it (mode 0644); run chmod 600 " +
                     options.credentials_file + "\n");
}

TEST_F(ResolveTest, ARejectedTokenIsRefreshedInsideTheRequestsRetryLoop) {
  AnswerTokenRequests();
  options.credentials_file = WriteJson("sa.json", ServiceAccountJson());
  auto resolved = ResolveCredentials(options);
  ASSERT_TRUE(resolved.ok());
  int storage_calls = 0;
  std::vector<std::string> seen;
  auto response = RetryLoop(RetryOptions{}, clock, resolved->credentials.get(), false, "uploading gs://b/o",
                            [&](const std::string& authorization) -> Result<HttpResponse> {
                              seen.push_back(authorization);
                              return Reply(++storage_calls == 1 ? 401 : 200, "");
                            });
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(seen, (std::vector<std::string>{"Bearer ya29.sa", "Bearer ya29.sa"}));
  EXPECT_EQ(http->Count(), 2u);  // a second token was fetched after the 401
}

}  // namespace
}  // namespace nc2zarr
