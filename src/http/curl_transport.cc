#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <strings.h>

#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/base/percent_encoding.h"
#include "nc2zarr/http/transport.h"
#include "nc2zarr/http/url.h"

namespace nc2zarr {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::span<const std::byte> body;
  std::size_t sent = 0;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->body.size() - up->sent);
  if (n > 0) std::memcpy(buffer, up->body.data() + up->sent, n);
  up->sent += n;
  return n;
}

int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* up = static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > up->body.size()) return CURL_SEEKFUNC_FAIL;
  up->sent = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t WriteBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t WriteHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon), value = line.substr(colon + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  auto first = value.find_first_not_of(" \t"), last = value.find_last_not_of(" \t\r\n");
  value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  auto [it, inserted] = response->headers.emplace(name, value);
  if (!inserted) it->second += "," + value;  // x-goog-hash comes twice (crc32c, md5)
  return size * count;
}

// When a transfer last moved a byte either way. libcurl's own low-speed
// check averages over a window of several seconds, so a short stall timeout
// fired seconds late; counting from the last byte keeps it to about 1 s.
struct TransferWatch {
  std::chrono::milliseconds stall_timeout;
  std::chrono::steady_clock::time_point last_moved = std::chrono::steady_clock::now();
  curl_off_t moved = 0;
  bool stalled = false;
};

// Called by libcurl at least once a second during a transfer: a non-zero
// return aborts it, which is how in-flight uploads are abandoned after the
// grace period, and how a stalled one ends.
int OnProgress(void* data, curl_off_t, curl_off_t downloaded, curl_off_t, curl_off_t uploaded) {
  if (AbandonRequested()) return 1;
  auto* watch = static_cast<TransferWatch*>(data);
  const auto now = std::chrono::steady_clock::now();
  if (downloaded + uploaded != watch->moved) {
    watch->moved = downloaded + uploaded;
    watch->last_moved = now;
    return 0;
  }
  watch->stalled = now - watch->last_moved >= watch->stall_timeout;
  return watch->stalled ? 1 : 0;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(const TransportOptions& options) : options_(options) {
    GlobalInitOnce();
    curl_ = curl_easy_init();
  }
  ~CurlTransport() override { curl_easy_cleanup(curl_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (curl_ == nullptr) return Status(ErrorCode::kInternal, "cannot initialise libcurl");
    curl_easy_reset(curl_);  // keeps the connection cache: connections are reused
    HttpResponse response;
    Upload upload{request.body, 0};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    // libcurl would otherwise wait a second for "100 Continue" on uploads.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    // A proxy from http_proxy would see a plain-http request whole, token
    // and all (loopback test servers, the metadata server): those go
    // direct. https goes through a proxy only as a tunnel, still encrypted.
    const bool plain = request.url.size() > 7 && strncasecmp(request.url.c_str(), "http://", 7) == 0;
    if (plain) curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    if (options_.total_timeout.count() > 0) {
      curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    }
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    TransferWatch watch{options_.stall_timeout};
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, &watch);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, WriteHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);

    const std::string& m = request.method;
    if (m == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (m == "PUT" || m == "POST") {
      curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl_, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
      curl_easy_setopt(curl_, CURLOPT_SEEKFUNCTION, SeekBody);
      curl_easy_setopt(curl_, CURLOPT_SEEKDATA, &upload);
      curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      if (m == "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (m != "GET") {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, m.c_str());
    }

    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc == CURLE_ABORTED_BY_CALLBACK && watch.stalled) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(options_.stall_timeout.count()) / 1000);
      return Status(ErrorCode::kUnavailable,
                    request.method + " to " + UrlHost(request.url) + " failed: nothing moved for " + seconds + " s");
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
      return Status(ErrorCode::kInterrupted, request.method + " to " + UrlHost(request.url) + " abandoned on request");
    }
    if (rc != CURLE_OK) {
      return Status(ErrorCode::kUnavailable,
                    request.method + " to " + UrlHost(request.url) + " failed: " + curl_easy_strerror(rc));
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  TransportOptions options_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

std::string UrlEncode(const std::string& text) { return PercentEncode(text); }

}  // namespace nc2zarr
