// One HTTP exchange at a time over a kept-alive connection. The transport
// is passed in (never global), so tests can hand in a fake that injects
// faults, and every request goes through the same retry loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::span<const std::byte> body;  // not owned; must outlive Send
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::optional<std::string> Header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Any HTTP status is a response. A failure to get one (refused, reset,
  // broken stream, timeout, DNS) is an error with code kUnavailable and a
  // message naming the host, never a credential.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10000};
  // A request fails when no byte moves for this long (large uploads may
  // take long; a stalled one must not hang).
  std::chrono::milliseconds stall_timeout{60000};
  // Overall limit for one request; 0 for none.
  std::chrono::milliseconds total_timeout{0};
};

// libcurl, TLS verification always on for https.
std::unique_ptr<HttpTransport> MakeCurlTransport(const TransportOptions& options = {});

// application/x-www-form-urlencoded and URL path/query escaping.
std::string UrlEncode(const std::string& text);

}  // namespace nc2zarr
