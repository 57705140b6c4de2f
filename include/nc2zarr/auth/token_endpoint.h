// Talking to OAuth token endpoints and the metadata server: which URLs may
// receive credentials, one retried exchange, and what a reply means.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nc2zarr/auth/token_source.h"
#include "nc2zarr/base/status.h"
#include "nc2zarr/http/retry.h"
#include "nc2zarr/http/transport.h"
#include "nc2zarr/http/url.h"

namespace nc2zarr {

// Creates the transport a token source talks through (a fake in tests).
using TokenTransportFactory = std::function<std::unique_ptr<HttpTransport>(const TransportOptions&)>;

inline constexpr char kGoogleTokenUri[] = "https://oauth2.googleapis.com/token";

// Retries for token requests: fewer and shorter than for storage requests,
// as a token request runs inside a storage request's attempt.
RetryOptions DefaultTokenRetry();

// Credentials may go only to https URLs, or to plain http on loopback (test
// servers). `origin` says where the URL came from, for the message.
Status CheckTokenEndpoint(const std::string& url, const std::string& origin);

// application/x-www-form-urlencoded.
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields);

// How to explain a refused or failed token request in one line.
struct TokenRequestContext {
  std::string endpoint;              // the URL or host, as shown in messages
  std::string credential;            // what was presented: "the refresh token in /p/adc.json"
  std::string refused_fix;           // what to do when the endpoint refuses it (400, 401, 403)
  std::vector<std::string> secrets;  // never repeated, even when the server quotes them
};

// A 200 reply {"access_token", "expires_in", "token_type"} as a token; any
// other reply as one line naming the endpoint and what to do.
Result<FetchedToken> ParseTokenResponse(const HttpResponse& response, const TokenRequestContext& context);

// One transport plus the retry policy. A token request is safe to repeat, so
// it is always retried on 5xx and network errors.
class TokenEndpointClient {
 public:
  TokenEndpointClient(std::unique_ptr<HttpTransport> transport, Clock& clock, RetryOptions retry)
      : transport_(std::move(transport)), clock_(&clock), retry_(retry) {}

  // The final reply (a 4xx included), or a transport error naming the host
  // with `context.endpoint` and advice in front.
  Result<HttpResponse> Send(const HttpRequest& request, const TokenRequestContext& context);

 private:
  std::unique_ptr<HttpTransport> transport_;
  Clock* clock_;
  RetryOptions retry_;
};

}  // namespace nc2zarr
