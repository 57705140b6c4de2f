#include "nc2zarr/auth/token_file_credentials.h"

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"
#include "nc2zarr/auth/token_cache.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using testing_auth::TempDir;

TEST(TokenFile, TrimsWhitespace) {
  auto token = ParseTokenFileText("  ya29.a0Af-_x.y~\r\n\n", "token file t.txt");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "ya29.a0Af-_x.y~");
}

TEST(TokenFile, RefusesTextThatIsNotOneToken) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "token file t.txt is empty; copy a fresh access token into it"},
      {" \n\t", "token file t.txt is empty"},
      {"Bearer ya29.x", "token file t.txt holds more than one word; it must hold only the access token"},
      {"ya29.a\nya29.b", "token file t.txt holds more than one word"},
      {"{\"type\": \"service_account\"}",
       "token file t.txt holds JSON, not an access token; give a JSON "
       "credentials file with --credentials"},
      {"ya29.\x01x", "token file t.txt holds characters an access token cannot have"},
  };
  for (const auto& [text, expected] : cases) {
    auto token = ParseTokenFileText(text, "token file t.txt");
    ASSERT_FALSE(token.ok()) << text;
    EXPECT_EQ(token.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(token.status().message().rfind(expected, 0), 0u) << token.status().message();
  }
}

TEST(TokenFile, IsReadAgainAfterInvalidate) {
  TempDir dir;
  const std::string path = dir.Write("token.txt", "ya29.first\n");
  CachingCredentials credentials(MakeTokenFileSource(path, true));
  EXPECT_EQ(*credentials.AuthorizationHeader(), "Bearer ya29.first");
  dir.Write("token.txt", "ya29.second\n");
  EXPECT_EQ(*credentials.AuthorizationHeader(), "Bearer ya29.first");  // not read again without a 401
  credentials.Invalidate();
  EXPECT_EQ(*credentials.AuthorizationHeader(), "Bearer ya29.second");
  EXPECT_EQ(credentials.Describe(), "token file " + path);
}

TEST(TokenFile, WarnsWhenTheRejectedTokenIsStillInTheFile) {
  TempDir dir;
  const std::string path = dir.Write("token.txt", "ya29.old");
  CachingCredentials credentials(MakeTokenFileSource(path, true));
  ASSERT_TRUE(credentials.AuthorizationHeader().ok());
  credentials.Invalidate();
  ConfigureLog(LogLevel::kWarning, 0, 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(*credentials.AuthorizationHeader(), "Bearer ya29.old");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("token file " + path + " still holds the token the server rejected; put a fresh token in it"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("ya29.old"), std::string::npos);
  // Every thread's 401 reads the file again: said once for the same stale token.
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) {
    credentials.Invalidate();
    EXPECT_TRUE(credentials.AuthorizationHeader().ok());
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(TokenFile, AMissingOrEmptiedFileIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.Write("token.txt", "ya29.first");
  CachingCredentials credentials(MakeTokenFileSource(path, true));
  ASSERT_TRUE(credentials.AuthorizationHeader().ok());
  dir.Write("token.txt", "");
  credentials.Invalidate();
  auto header = credentials.AuthorizationHeader();
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message().rfind("token file " + path + " is empty", 0), 0u);
  CachingCredentials missing(MakeTokenFileSource(dir.Path("nope.txt"), true));
  header = missing.AuthorizationHeader();
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message(),
            "cannot read token file " + dir.Path("nope.txt") + ": No such file or directory");
}

}  // namespace
}  // namespace nc2zarr
