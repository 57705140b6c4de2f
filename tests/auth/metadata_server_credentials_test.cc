#include "nc2zarr/auth/metadata_server_credentials.h"

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"

namespace nc2zarr {
namespace {

using namespace testing_auth;

class MetadataServerTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenSource> Source(std::vector<std::string> scopes = {kStorageReadWriteScope}) {
    return MakeMetadataServerTokenSource("169.254.169.254", "the VM's default service account", std::move(scopes),
                                         TokenEndpointClient(FakeFactory(http)({}), clock, DefaultTokenRetry()));
  }
  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  FakeClock clock;
};

const std::map<std::string, std::string> kFlavor{{"metadata-flavor", "Google"}};

TEST_F(MetadataServerTest, AsksWithTheFlavorHeader) {
  http->handler = [](const RecordedRequest&) {
    HttpResponse r = TokenReply("ya29.vm", 1800);
    r.headers = kFlavor;
    return Result<HttpResponse>(r);
  };
  auto source = Source();
  auto token = source->Fetch();
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->token, "ya29.vm");
  EXPECT_EQ(token->expires_in, std::chrono::seconds(1800));
  const RecordedRequest& r = http->requests.at(0);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url, "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token");
  EXPECT_EQ(r.HeaderValue("Metadata-Flavor"), "Google");
  EXPECT_EQ(source->Describe(), "metadata server 169.254.169.254 (the VM's default service account)");
}

TEST_F(MetadataServerTest, OtherScopesAreAskedFor) {
  EXPECT_EQ(MetadataTokenUrl("127.0.0.1:8080", {kStorageReadWriteScope}),
            "http://127.0.0.1:8080/computeMetadata/v1/instance/service-accounts/default/token");
  EXPECT_EQ(MetadataTokenUrl("h", {"https://www.googleapis.com/auth/devstorage.full_control", "s2"}),
            "http://h/computeMetadata/v1/instance/service-accounts/default/token?scopes="
            "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.full_control%2Cs2");
}

TEST_F(MetadataServerTest, AReplyWithoutTheFlavorHeaderIsNotAMetadataServer) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(TokenReply("x")); };
  auto token = Source()->Fetch();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(token.status().message().find("not as a metadata server"), std::string::npos);
}

TEST_F(MetadataServerTest, ARefusalSaysWhatToDo) {
  http->handler = [](const RecordedRequest&) { return Result<HttpResponse>(Reply(403, "Forbidden", kFlavor)); };
  auto token = Source()->Fetch();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(token.status().message(),
            "the metadata server at 169.254.169.254 (the VM's default service account) refused to give a token "
            "(HTTP 403); give the VM a service account with access to the bucket and the storage scope, or use "
            "--credentials");
}

TEST_F(MetadataServerTest, NoAnswerIsUnavailable) {
  auto token = Source()->Fetch();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(token.status().message().rfind("asking the metadata server at 169.254.169.254", 0), 0u);
}

TEST(MetadataHost, OnlyHostAndPort) {
  for (const char* host : {"metadata.google.internal", "127.0.0.1:8080", "[::1]:80"}) {
    EXPECT_TRUE(CheckMetadataHost(host).ok()) << host;
  }
  for (const char* host : {"http://evil", "a/b", "user@host", "h?x", "a b"}) {
    Status s = CheckMetadataHost(host);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << host;
    EXPECT_NE(s.message().find("fix or unset GCE_METADATA_HOST"), std::string::npos);
  }
}

}  // namespace
}  // namespace nc2zarr
