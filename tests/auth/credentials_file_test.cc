#include "nc2zarr/auth/credentials_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "auth/auth_test_support.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using testing_auth::TempDir;

std::string ReadCapturingLog(const std::string& path, bool warn) {
  ConfigureLog(LogLevel::kWarning, 0, 1);
  ::testing::internal::CaptureStderr();
  auto text = ReadSecretFile(path, "credentials file " + path, warn);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(text.ok());
  return log;
}

TEST(CredentialsFile, WarnsWhenOthersMayReadIt) {
  TempDir dir;
  const std::string open = dir.Write("open.json", "{}", 0644);
  EXPECT_EQ(ReadCapturingLog(open, true),
            "nc2zarr: warning: credentials file " + open +
                " holds credentials but other users may access it (mode 0644); run chmod 600 " + open + "\n");
  const std::string group = dir.Write("group.json", "{}", 0620);
  EXPECT_NE(ReadCapturingLog(group, true).find("(mode 0620); run chmod 600"), std::string::npos);
  EXPECT_EQ(ReadCapturingLog(dir.Write("private.json", "{}", 0600), true), "");
  EXPECT_EQ(ReadCapturingLog(open, false), "");
}

TEST(CredentialsFile, RefusesMissingHugeAndNonRegularFiles) {
  TempDir dir;
  auto missing = ReadSecretFile(dir.Path("missing.json"), "credentials file m.json", true);
  EXPECT_EQ(missing.status().message(), "cannot read credentials file m.json: No such file or directory");
  auto huge = ReadSecretFile(dir.Write("huge.json", std::string(100000, ' ')), "credentials file h.json", true);
  EXPECT_EQ(huge.status().message(), "credentials file h.json is 100000 bytes, too large for a credentials file");
  auto folder = ReadSecretFile(dir.Path(), "credentials file d", true);
  EXPECT_EQ(folder.status().message(),
            "credentials file d is not a regular file; write the credentials to a file (chmod 600) and give its path");
  // A named pipe with no writer: refused at once (opening it used to wait for ever).
  const std::string fifo = dir.Path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto pipe = ReadSecretFile(fifo, "token file p", true);
  EXPECT_NE(pipe.status().message().find("token file p is not a regular file"), std::string::npos);
}

TEST(CredentialsFile, MalformedJsonIsReportedByPositionWithoutQuotingTheText) {
  const std::string text = "{\n  \"type\": \"service_account\",\n  \"private_key\": \"-----BEGIN secret-material";
  auto json = ParseCredentialsJson(text, "credentials file k.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(json.status().message().rfind("credentials file k.json is not valid JSON (error at line 3, column", 0), 0u)
      << json.status().message();
  EXPECT_EQ(json.status().message().find("secret-material"), std::string::npos);
  EXPECT_EQ(ParseCredentialsJson("[1, 2]", "f").status().message(),
            "f is JSON but not an object; it is not a credentials file");
}

TEST(CredentialsFile, Fields) {
  auto json = nlohmann::json::parse(R"({"a": "x", "b": "", "c": 3})");
  EXPECT_EQ(*RequiredString(json, "a", "f", "fix it"), "x");
  for (const char* field : {"b", "c", "d"}) {
    EXPECT_EQ(RequiredString(json, field, "f", "fix it").status().message(),
              std::string("f has no \"") + field + "\" text; fix it");
  }
  EXPECT_EQ(OptionalString(json, "a", "z"), "x");
  EXPECT_EQ(OptionalString(json, "b", "z"), "z");
  EXPECT_EQ(OptionalString(json, "c"), "");
}

}  // namespace
}  // namespace nc2zarr
