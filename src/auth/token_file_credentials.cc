#include "nc2zarr/auth/token_file_credentials.h"

#include <algorithm>

#include "nc2zarr/auth/credentials_file.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

class TokenFileSource final : public TokenSource {
 public:
  TokenFileSource(std::string path, bool warn_open_permissions)
      : path_(std::move(path)), what_("token file " + path_), warn_(warn_open_permissions) {}

  Result<FetchedToken> Fetch() override {
    ASSIGN_OR_RETURN(std::string text, ReadSecretFile(path_, what_, warn_));
    warn_ = false;  // once is enough: the file is read again after every 401
    ASSIGN_OR_RETURN(std::string token, ParseTokenFileText(text, what_));
    if (token == last_ && token != stale_warned_) {
      // Once per stale token: every upload thread that gets a 401 reads the file again.
      LogWarning(what_ + " still holds the token the server rejected; put a fresh token in it");
      stale_warned_ = token;
    }
    last_ = token;
    return FetchedToken{std::move(token), std::nullopt};
  }

  std::string Describe() const override { return what_; }

 private:
  std::string path_;
  std::string what_;
  bool warn_;
  std::string last_;  // the token read before, to tell a replaced file from a stale one
  std::string stale_warned_;  // the stale token already warned about
};

}  // namespace

Result<std::string> ParseTokenFileText(const std::string& text, const std::string& what) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return InvalidInput(what + " is empty; copy a fresh access token into it (a temporary token from the hub)");
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  std::string token = text.substr(first, last - first + 1);
  if (token.front() == '{') {
    return InvalidInput(what + " holds JSON, not an access token; give a JSON credentials file with --credentials");
  }
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidInput(what + " holds more than one word; it must hold only the access token (no \"Bearer\")");
  }
  if (!std::all_of(token.begin(), token.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; })) {
    return InvalidInput(what + " holds characters an access token cannot have; copy the token into it again");
  }
  return token;
}

std::unique_ptr<TokenSource> MakeTokenFileSource(std::string path, bool warn_open_permissions) {
  return std::make_unique<TokenFileSource>(std::move(path), warn_open_permissions);
}

}  // namespace nc2zarr
