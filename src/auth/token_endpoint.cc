#include "nc2zarr/auth/token_endpoint.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "nc2zarr/base/redaction.h"

namespace nc2zarr {
namespace {

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Visible ASCII only: a token goes into a header line, so a server must not
// be able to smuggle a line break (or a space-separated second value) in.
bool IsHeaderSafeToken(const std::string& token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

// "invalid_grant: Token has been expired or revoked." from an OAuth error
// body, or the message of a Google API error body; "" otherwise.
std::string ServerError(const std::string& body, const std::vector<std::string>& secrets) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("error")) return "";
  const auto& error = json["error"];
  std::string text;
  if (error.is_string()) {
    text = error.get<std::string>();
    auto description = json.find("error_description");
    if (description != json.end() && description->is_string()) text += ": " + description->get<std::string>();
  } else if (error.is_object() && error.contains("message") && error["message"].is_string()) {
    text = error["message"].get<std::string>();
  }
  return ServerTextForMessage(text, secrets);
}

// Google's tokens last an hour, 12 at most: a longer lifetime is taken as a
// day, so that no sum of it and the clock overflows (which made every
// request fetch a new token).
constexpr double kLongestTokenSeconds = 24 * 3600;

std::optional<std::chrono::seconds> ExpiresIn(const nlohmann::json& value, bool& valid) {
  valid = true;
  auto all_digits = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  double seconds = 0;
  if (value.is_number()) {
    seconds = value.get<double>();
  } else if (value.is_string() && all_digits(value.get_ref<const std::string&>())) {
    seconds = std::strtod(value.get_ref<const std::string&>().c_str(), nullptr);
  } else {
    valid = false;
    return std::nullopt;
  }
  if (!std::isfinite(seconds)) seconds = kLongestTokenSeconds;
  return std::chrono::seconds(static_cast<long long>(std::clamp(seconds, -1.0, kLongestTokenSeconds)));
}

}  // namespace

RetryOptions DefaultTokenRetry() {
  RetryOptions retry;
  retry.max_attempts = 5;
  retry.max_total = std::chrono::minutes(2);
  return retry;
}

Status CheckTokenEndpoint(const std::string& url, const std::string& origin) {
  const std::string lower = Lower(url);
  const std::string host = UrlHost(url);
  if (host.empty() || url.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidInput(origin + ": token endpoint '" + url + "' is not a URL; fix the token_uri field");
  }
  if (UrlHasUserInfo(url)) {
    // A user name or password in the URL: never printed, never sent.
    return InvalidInput(origin + ": the token endpoint holds a user name or password; fix the token_uri field");
  }
  if (StartsWith(lower, "https://")) return Status::Ok();
  if (StartsWith(lower, "http://") && IsLoopbackHost(host)) return Status::Ok();
  return InvalidInput(origin + ": token endpoint " + url +
                      " must use https (plain http only on loopback), as credentials are sent there; "
                      "fix the token_uri field");
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += UrlEncode(name) + "=" + UrlEncode(value);
  }
  return body;
}

Result<FetchedToken> ParseTokenResponse(const HttpResponse& response, const TokenRequestContext& context) {
  const std::string from = context.endpoint;
  if (response.status != 200) {
    std::string server = ServerError(response.body, context.secrets);
    std::string detail = " (HTTP " + std::to_string(response.status) + (server.empty() ? "" : ": " + server) + ")";
    if (response.status == 400 || response.status == 401 || response.status == 403) {
      return Status(ErrorCode::kPermissionDenied,
                    from + " refused " + context.credential + detail + "; " + context.refused_fix);
    }
    if (response.status >= 500 || response.status == 408 || response.status == 429) {
      return Status(ErrorCode::kUnavailable, from + " failed to give an access token" + detail + "; try again later");
    }
    return IoError(from + " did not give an access token" + detail + "; check that " + from +
                   " is an OAuth token endpoint");
  }
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  const std::string bad_reply = from + " answered 200 but not with an access token";
  const std::string fix = "; check that " + from + " is an OAuth token endpoint";
  if (!json.is_object()) return IoError(bad_reply + " (not a JSON object)" + fix);
  auto token = json.find("access_token");
  if (token == json.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    return IoError(bad_reply + " (no \"access_token\")" + fix);
  }
  if (!IsHeaderSafeToken(token->get_ref<const std::string&>())) {
    return IoError(bad_reply + " (the access token holds spaces or control characters)" + fix);
  }
  if (auto type = json.find("token_type");
      type != json.end() && !(type->is_string() && Lower(type->get<std::string>()) == "bearer")) {
    return IoError(bad_reply + " (token_type is not Bearer)" + fix);
  }
  FetchedToken fetched{token->get<std::string>(), std::nullopt};
  if (auto expires = json.find("expires_in"); expires != json.end()) {
    bool valid = false;
    fetched.expires_in = ExpiresIn(*expires, valid);
    if (!valid) return IoError(bad_reply + " (expires_in is not a number)" + fix);
    if (fetched.expires_in->count() <= 0) return IoError(bad_reply + " (the token has already expired)" + fix);
  }
  return fetched;
}

Result<HttpResponse> TokenEndpointClient::Send(const HttpRequest& request, const TokenRequestContext& context) {
  Result<HttpResponse> response =
      RetryLoop(retry_, *clock_, nullptr, true, "asking " + context.endpoint + " for an access token",
                [&](const std::string&) { return transport_->Send(request); });
  if (!response.ok()) {
    const Status& s = response.status();
    return Status(s.code(), s.message() + "; check the network, or whether " + context.endpoint + " is right");
  }
  return response;
}

}  // namespace nc2zarr
