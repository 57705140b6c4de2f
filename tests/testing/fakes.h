// Test doubles for the seams: a scripted HTTP transport, a clock that never
// sleeps, credentials that count refreshes.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/http/retry.h"
#include "nc2zarr/http/transport.h"

namespace nc2zarr::fakes {

struct RecordedRequest {
  std::string method, url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
};

inline HttpResponse Reply(long status, std::string body = "", std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline Status Reset() { return Status(ErrorCode::kUnavailable, "connection reset by peer"); }

// Answers each request with the next scripted reply, or with the handler.
class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const RecordedRequest&)>;
  explicit FakeTransport(std::vector<std::string>* log = nullptr) : log_(log) {}

  std::deque<Result<HttpResponse>> script;
  Handler handler;
  std::vector<RecordedRequest> requests;

  Result<HttpResponse> Send(const HttpRequest& r) override {
    RecordedRequest rec{r.method, r.url, r.headers,
                        std::string(reinterpret_cast<const char*>(r.body.data()), r.body.size())};
    requests.push_back(rec);
    if (log_) log_->push_back(r.method + " " + r.url);
    if (!script.empty()) {
      auto next = std::move(script.front());
      script.pop_front();
      return next;
    }
    if (handler) return handler(rec);
    return Status(ErrorCode::kInternal, "the fake transport has no reply scripted");
  }

 private:
  std::vector<std::string>* log_;
};

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now; }
  void Sleep(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now += d;
  }
  std::chrono::steady_clock::time_point now{};
  std::vector<std::chrono::milliseconds> sleeps;
};

class CountingCredentials final : public Credentials {
 public:
  Result<std::string> AuthorizationHeader() override { return "Bearer token-" + std::to_string(generation); }
  void Invalidate() override { ++generation; }
  std::string Describe() const override { return "test credentials"; }
  int generation = 0;
};

}  // namespace nc2zarr::fakes
