// Fakes and helpers for the credentials tests: an RSA key pair made with
// OpenSSL, RS256 verification, a fake HTTP transport and fake clocks.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nc2zarr/base/base64.h"
#include "nc2zarr/http/retry.h"
#include "nc2zarr/http/transport.h"

namespace nc2zarr::testing_auth {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

inline std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// A fresh 2048-bit RSA key pair (made once per process: it takes a moment).
inline const KeyPair& TestKeys() {
  static const KeyPair keys = [] {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* priv = BIO_new(BIO_s_mem());
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub, key);
    KeyPair pair{BioText(priv), BioText(pub)};
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return pair;
  }();
  return keys;
}

inline bool VerifyRs256(const std::string& public_pem, const std::string& data, const std::string& signature) {
  BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = key != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

inline std::string Base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  auto bytes = Base64Decode(text);
  if (!bytes) return "<not base64url>";
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

// The value of `name` in an application/x-www-form-urlencoded body.
inline std::string FormValue(const std::string& body, const std::string& name) {
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string value, raw = pair.substr(name.size() + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          value += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          value += raw[i] == '+' ? ' ' : raw[i];
        }
      }
      return value;
    }
    start = end + 1;
  }
  return "<absent>";
}

inline HttpResponse Reply(long status, const std::string& body, std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

inline HttpResponse TokenReply(const std::string& token, long expires_in = 3599) {
  return Reply(200,
               nlohmann::json{{"access_token", token}, {"expires_in", expires_in}, {"token_type", "Bearer"}}.dump());
}

struct RecordedRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string HeaderValue(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "<absent>";
  }
};

// The server side of every transport the factory makes: a handler answers,
// and every request is recorded.
struct FakeHttp {
  std::mutex mutex;
  std::function<Result<HttpResponse>(const RecordedRequest&)> handler = [](const RecordedRequest& r) {
    return Result<HttpResponse>(Status(ErrorCode::kUnavailable, r.method + " to a test host failed: refused"));
  };
  std::vector<RecordedRequest> requests;
  std::vector<TransportOptions> transports;  // the options each transport was made with

  std::size_t Count() {
    std::lock_guard lock(mutex);
    return requests.size();
  }
};

class FakeTransport final : public HttpTransport {
 public:
  explicit FakeTransport(std::shared_ptr<FakeHttp> http) : http_(std::move(http)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    RecordedRequest r{request.method, request.url, request.headers,
                      std::string(reinterpret_cast<const char*>(request.body.data()), request.body.size())};
    std::function<Result<HttpResponse>(const RecordedRequest&)> handler;
    {
      std::lock_guard lock(http_->mutex);
      http_->requests.push_back(r);
      handler = http_->handler;
    }
    return handler(r);
  }

 private:
  std::shared_ptr<FakeHttp> http_;
};

inline std::function<std::unique_ptr<HttpTransport>(const TransportOptions&)> FakeFactory(
    std::shared_ptr<FakeHttp> http) {
  return [http](const TransportOptions& options) -> std::unique_ptr<HttpTransport> {
    {
      std::lock_guard lock(http->mutex);
      http->transports.push_back(options);
    }
    return std::make_unique<FakeTransport>(http);
  };
}

// Retry waits are recorded, never slept.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void Sleep(std::chrono::milliseconds d) override {
    now_ += d;
    slept += d;
  }
  std::chrono::milliseconds slept{0};

 private:
  std::chrono::steady_clock::time_point now_{};
};

// Wall-clock time that only moves when told.
class FakeWallClock {
 public:
  FakeWallClock() : now_(std::make_shared<std::atomic<long long>>(1'700'000'000'000)) {}
  std::function<std::chrono::system_clock::time_point()> Function() const {
    auto now = now_;
    return [now] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(now->load())); };
  }
  std::chrono::system_clock::time_point Now() const { return Function()(); }
  void Advance(std::chrono::milliseconds d) { *now_ += d.count(); }
  long long Seconds() const { return now_->load() / 1000; }

 private:
  std::shared_ptr<std::atomic<long long>> now_;
};

// A folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("nc2zarr_auth_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to NAME with `mode`; returns the path.
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    ::chmod(p.c_str(), mode);
    return p.string();
  }
  std::string Path(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

inline nlohmann::json ServiceAccountJson(const std::string& token_uri = "https://oauth2.googleapis.com/token") {
  return {{"type", "service_account"},
          {"project_id", "proj"},
          {"private_key_id", "kid-0123"},
          {"private_key", TestKeys().private_pem},
          {"client_email", "uploader@proj.iam.gserviceaccount.com"},
          {"client_id", "1234567890"},
          {"token_uri", token_uri}};
}

inline nlohmann::json AuthorizedUserJson() {
  return {{"type", "authorized_user"},
          {"client_id", "764086051850-test.apps.googleusercontent.com"},
          {"client_secret", "d-FL95Q19q7MQmFpd7hHD0Ty"},
          {"refresh_token", "1//0gREFRESH-token-secret-value"}};
}

}  // namespace nc2zarr::testing_auth
