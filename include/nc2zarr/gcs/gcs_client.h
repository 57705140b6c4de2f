// Requests to Google Cloud Storage: uploads that verify CRC32C and never
// create duplicates, downloads that verify what arrives, listings of any
// size, deletes. Every request goes through the retry loop. One client per
// thread (it owns one kept-alive connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/base/status.h"
#include "nc2zarr/http/retry.h"
#include "nc2zarr/http/transport.h"

namespace nc2zarr {

enum class GcsApi { kJson, kXml };

struct GcsOptions {
  std::string endpoint = "https://storage.googleapis.com";
  GcsApi api = GcsApi::kJson;  // for uploads; other requests use the JSON API
  // Objects this big or bigger go through a resumable session.
  std::size_t resumable_threshold = 16u << 20;
  // Bytes per resumable request: a multiple of 256 KiB.
  std::size_t piece_size = 8u << 20;
  RetryOptions retry;
  TransportOptions transport;
};

// The endpoint a user means: --gcs-endpoint, else STORAGE_EMULATOR_HOST
// (as Google's client libraries honour it; "host:port" means http), else
// real GCS.
std::string ChooseEndpoint(const std::string& flag, const char* emulator_host);

// A usage error unless the endpoint is an http(s) URL of a host, and https
// when an access token goes there (plain http only on loopback, as for
// token endpoints), so a typo fails at once and no token crosses a network
// unencrypted.
Status CheckStorageEndpoint(const std::string& endpoint, bool sends_secrets);

struct GcsObject {
  std::string name;
  std::uint64_t size = 0;
  std::optional<std::uint32_t> crc32c;
  std::string generation;
};

// For resumable uploads that outlive a process: continue resume_session if
// it is still alive, and report every new session URL.
struct UploadHooks {
  std::string resume_session;
  std::function<void(const std::string& session_url)> on_session;
};

struct GcsListPage {
  std::vector<GcsObject> objects;
  std::vector<std::string> prefixes;
  std::string next_page_token;  // "" on the last page
};

class GcsClient {
 public:
  GcsClient(GcsOptions options, std::shared_ptr<Credentials> credentials, std::unique_ptr<HttpTransport> transport,
            Clock& clock = RealClock());

  // Stores data as bucket/name with its CRC32C (which the server checks).
  // With if_absent the write carries ifGenerationMatch=0: if the object
  // already exists with the same CRC32C and size (a retried or repeated
  // upload) that object is returned; with other content it is
  // kAlreadyExists. A CRC32C the server reports that differs from ours is
  // never accepted.
  Result<GcsObject> Upload(const std::string& bucket, const std::string& name, std::span<const std::byte> data,
                           std::uint32_t crc32c, bool if_absent, const UploadHooks& hooks = {});
  Result<GcsObject> GetMetadata(const std::string& bucket, const std::string& name);
  // The object's bytes, checked against the CRC32C the server sends.
  Result<std::vector<std::byte>> Download(const std::string& bucket, const std::string& name);
  Result<GcsListPage> List(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                           const std::string& page_token, std::size_t max_results = 1000);
  // A missing object is not an error.
  Status Delete(const std::string& bucket, const std::string& name);
  // kNotFound naming the bucket when it does not exist.
  Status CheckBucket(const std::string& bucket);

  const RetryCounters& counters() const { return counters_; }

 private:
  // ResponseError, knowing whether this client's requests carry credentials.
  Status Refused(const HttpResponse& response, const std::string& doing, const std::string& target) const;
  Result<HttpResponse> Send(const std::string& what, bool idempotent, const std::function<HttpRequest()>& build);
  Result<GcsObject> UploadOnce(const std::string& bucket, const std::string& name, std::span<const std::byte> data,
                               std::uint32_t crc32c, bool if_absent, const UploadHooks& hooks);
  Result<GcsObject> SimpleUpload(const std::string& bucket, const std::string& name, std::span<const std::byte> data,
                                 std::uint32_t crc32c, bool if_absent);
  Result<GcsObject> ResumableUpload(const std::string& bucket, const std::string& name,
                                    std::span<const std::byte> data, std::uint32_t crc32c, bool if_absent,
                                    const UploadHooks& hooks);
  std::string JsonObjectUrl(const std::string& bucket, const std::string& name) const;
  std::string XmlObjectUrl(const std::string& bucket, const std::string& name) const;

  GcsOptions options_;
  std::shared_ptr<Credentials> credentials_;
  std::unique_ptr<HttpTransport> transport_;
  Clock& clock_;
  RetryCounters counters_;
};

}  // namespace nc2zarr
