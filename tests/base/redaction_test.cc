#include "nc2zarr/base/redaction.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

TEST(RedactSecrets, TheRequestsSecretsInEverySpellingAServerEchoes) {
  const std::string refresh = "1//REFRESHtok777", secret = "s3cr3t/+=";
  const std::string echoed = "bad grant for grant_type=refresh_token&client_secret=s3cr3t%2F%2B%3D"
                             "&refresh_token=1%2F%2FREFRESHtok777; json: \"1\\/\\/REFRESHtok777\" raw: 1//REFRESHtok777";
  const std::string out = RedactSecrets(echoed, {refresh, secret});
  for (const char* leaked : {"REFRESHtok777", "s3cr3t"}) EXPECT_EQ(out.find(leaked), std::string::npos) << out;
  EXPECT_NE(out.find("grant_type=refresh_token&client_secret=[redacted]"), std::string::npos) << out;
}

TEST(RedactSecrets, TokenShapedTextWithoutKnowingTheToken) {
  // A storage server quoting the Authorization header back, in three ways.
  for (const std::string text : {"denied for Bearer PLAINsecret1234567890", "Invalid Credentials: ya29.SECRETbucketTok0123",
                                 "{\"access_token\": \"PLAINsecret1234567890\"}",
                                 "refresh_token=1%2f%2fSECRETlower0123456"}) {
    const std::string out = RedactSecrets(text);
    EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
    EXPECT_NE(out.find("[redacted]"), std::string::npos) << out;
  }
  // Words that only look like keys stay.
  EXPECT_EQ(RedactSecrets("Invalid assertion format"), "Invalid assertion format");
  EXPECT_EQ(RedactSecrets("No such object: bkt/a.zarr/.zgroup"), "No such object: bkt/a.zarr/.zgroup");
  for (const std::string path : {"bkt/exp1/bearer data/tas", "bkt/x/assertion=7/tas"}) {
    EXPECT_EQ(RedactSecrets("denied on " + path), "denied on " + path);
  }
}

TEST(DecodedForRedaction, EscapedSpellingsBecomePlain) {
  EXPECT_EQ(RedactSecrets(DecodedForRedaction(R"({"error": {"message": "token S3cr3t\u002fTok\u002ben= no"}})"),
                          {"S3cr3t/Tok+en="}),
            R"({"error":{"message":"token [redacted] no"}})");
  EXPECT_EQ(RedactSecrets(DecodedForRedaction("<Message>token S3cr3t&#47;Tok&#x2B;en= no &amp; more</Message>"),
                          {"S3cr3t/Tok+en="}),
            "<Message>token [redacted] no & more</Message>");
}

TEST(ServerTextForMessage, OneShortPrintableLine) {
  const std::string out = ServerTextForMessage("line one\nline two\x01" + std::string(300, 'x'));
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.size(), 203u);
  EXPECT_EQ(out.substr(0, 18), "line one line two ");
}

}  // namespace
}  // namespace nc2zarr
