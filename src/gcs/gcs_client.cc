#include "nc2zarr/gcs/gcs_client.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "nc2zarr/auth/token_endpoint.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/base/redaction.h"
#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/gcs/gcs_errors.h"
#include "nc2zarr/gcs/object_hash.h"

namespace nc2zarr {
namespace {

constexpr std::size_t kPieceQuantum = 256 * 1024;
constexpr int kUploadRounds = 3;    // re-uploads after a stored CRC32C mismatch
constexpr int kSessionRestarts = 2;  // new sessions after one expired

std::string Target(const std::string& bucket, const std::string& name) { return "gs://" + bucket + "/" + name; }

// Object names in XML URLs: each path segment escaped, slashes kept.
std::string EscapePath(const std::string& name) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    auto slash = name.find('/', start);
    out += UrlEncode(name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

// Partial responses (the JSON API's `fields`): only what ParseObject reads.
// Smaller replies, and the server skips work nobody reads (an MD5 it would
// otherwise put in every reply).
constexpr char kObjectFields[] = "fields=name,size,generation,crc32c";
constexpr char kListFields[] = "fields=items(name,size,generation,crc32c),prefixes,nextPageToken";

std::optional<GcsObject> ParseObject(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("name")) return std::nullopt;
  GcsObject o;
  o.name = j.value("name", "");
  try {
    o.size = std::stoull(j.value("size", "0"));
  } catch (...) {
    return std::nullopt;
  }
  if (j.contains("crc32c")) o.crc32c = Crc32cFromBase64(j.value("crc32c", ""));
  o.generation = j.value("generation", "");
  return o;
}

Result<GcsObject> ObjectFromJsonBody(const HttpResponse& r, const std::string& target) {
  auto object = ParseObject(nlohmann::json::parse(r.body, nullptr, false));
  if (!object) return Status(ErrorCode::kUnavailable, target + ": the server's reply is not an object resource");
  return *object;
}

// The XML API describes the stored object in response headers.
GcsObject ObjectFromXmlHeaders(const HttpResponse& r, const std::string& name, std::size_t size) {
  GcsObject o;
  o.name = name;
  o.size = size;
  if (auto h = r.Header("x-goog-hash")) o.crc32c = Crc32cFromHashHeader(*h);
  o.generation = r.Header("x-goog-generation").value_or("");
  return o;
}

// The bytes an upload session holds, from its 308 reply: no Range header
// means none, else "bytes=0-LAST". Anything else is a broken reply, retried.
Result<std::size_t> PersistedSize(const HttpResponse& r, const std::string& target) {
  auto range = r.Header("range");
  if (!range) return std::size_t{0};
  constexpr std::string_view kPrefix = "bytes=0-";
  std::size_t last = 0;
  const char* end = range->data() + range->size();
  if (range->starts_with(kPrefix)) {
    auto [stop, ec] = std::from_chars(range->data() + kPrefix.size(), end, last);
    if (ec == std::errc() && stop == end && range->size() > kPrefix.size() && last < SIZE_MAX) return last + 1;
  }
  return Status(ErrorCode::kUnavailable,
                target + ": the upload session answered with a malformed Range header '" + ServerTextForMessage(*range) + "'");
}

// "https://host:port" of a URL, lower case, with the scheme's default port
// left out ("http://h:80" is "http://h").
std::string Origin(const std::string& url) {
  std::string origin = url.substr(0, url.find("://")) + "://" + UrlHost(url);
  std::transform(origin.begin(), origin.end(), origin.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string default_port = origin.starts_with("http://") ? ":80" : origin.starts_with("https://") ? ":443" : "";
  if (!default_port.empty() && origin.ends_with(default_port)) origin.resize(origin.size() - default_port.size());
  return origin;
}

}  // namespace

std::string ChooseEndpoint(const std::string& flag, const char* emulator_host) {
  std::string e = flag;
  if (e.empty() && emulator_host != nullptr && *emulator_host != '\0') {
    e = emulator_host;
    if (e.find("://") == std::string::npos) e = "http://" + e;
  }
  if (e.empty()) e = "https://storage.googleapis.com";
  while (e.size() > 1 && e.back() == '/') e.pop_back();
  return e;
}

Status CheckStorageEndpoint(const std::string& endpoint, bool sends_secrets) {
  std::string scheme = endpoint.substr(0, endpoint.find("://"));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string host = UrlHost(endpoint);
  const std::string where = "storage endpoint '" + host + "' (--gcs-endpoint or STORAGE_EMULATOR_HOST)";
  if (endpoint.find("://") == std::string::npos || (scheme != "http" && scheme != "https") || host.empty()) {
    return UsageError(where + ": use an http:// or https:// URL of a host");
  }
  if (UrlHasUserInfo(endpoint)) {
    return UsageError(where + ": a user name or password in the URL is never sent nor shown; leave it out");
  }
  if (scheme == "http" && sends_secrets && !IsLoopbackHost(host)) {
    return UsageError(where + ": plain http would send the access token unencrypted; use https, or --anonymous "
                      "with an emulator that needs no credentials");
  }
  return Status::Ok();
}

Status GcsClient::Refused(const HttpResponse& response, const std::string& doing, const std::string& target) const {
  return ResponseError(response, doing, target, !credentials_->SendsSecrets());
}

GcsClient::GcsClient(GcsOptions options, std::shared_ptr<Credentials> credentials,
                     std::unique_ptr<HttpTransport> transport, Clock& clock)
    : options_(std::move(options)), credentials_(std::move(credentials)), transport_(std::move(transport)),
      clock_(clock) {
  options_.piece_size = std::max(kPieceQuantum, options_.piece_size / kPieceQuantum * kPieceQuantum);
  options_.resumable_threshold = std::max<std::size_t>(1, options_.resumable_threshold);
}

std::string GcsClient::JsonObjectUrl(const std::string& bucket, const std::string& name) const {
  return options_.endpoint + "/storage/v1/b/" + UrlEncode(bucket) + "/o/" + UrlEncode(name);
}

std::string GcsClient::XmlObjectUrl(const std::string& bucket, const std::string& name) const {
  return options_.endpoint + "/" + UrlEncode(bucket) + "/" + EscapePath(name);
}

Result<HttpResponse> GcsClient::Send(const std::string& what, bool idempotent,
                                     const std::function<HttpRequest()>& build) {
  return RetryLoop(
      options_.retry, clock_, credentials_.get(), idempotent, what,
      [&](const std::string& authorization) -> Result<HttpResponse> {
        HttpRequest request = build();
        if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
        return transport_->Send(request);
      },
      &counters_);
}

Result<GcsObject> GcsClient::Upload(const std::string& bucket, const std::string& name,
                                    std::span<const std::byte> data, std::uint32_t crc32c, bool if_absent,
                                    const UploadHooks& hooks) {
  const std::string target = Target(bucket, name);
  for (int round = 0; round < kUploadRounds; ++round) {
    Result<GcsObject> uploaded = UploadOnce(bucket, name, data, crc32c, if_absent, round == 0 ? hooks : UploadHooks{"", hooks.on_session});
    if (!uploaded.ok() && uploaded.status().code() == ErrorCode::kDataLoss && round + 1 < kUploadRounds) {
      // The server got other bytes than were sent (and refused them), or
      // the session lost count: nothing was stored, so send them again.
      LogWarning(uploaded.status().message() + "; uploading it again");
      continue;
    }
    if (!uploaded.ok() && uploaded.status().code() != ErrorCode::kAlreadyExists) return uploaded.status();
    const bool resumed = round == 0 && !hooks.resume_session.empty();
    if (uploaded.ok() && uploaded->crc32c == crc32c && !resumed) return uploaded;
    // A 412 (an earlier attempt or run stored it), a reply whose CRC32C
    // differs from ours, or a session an earlier run finished (it still
    // describes the object it made, which may be gone or replaced since):
    // what is really stored decides.
    auto now = GetMetadata(bucket, name);
    // Gone (a finished session's object deleted since, or a 412 for an
    // object deleted at once): a fresh upload.
    if (!now.ok() && now.status().code() == ErrorCode::kNotFound) continue;
    ASSIGN_OR_RETURN(GcsObject stored, std::move(now));
    if (stored.crc32c == crc32c && stored.size == data.size()) return stored;
    if (!uploaded.ok()) {
      return AlreadyExists(target + " already exists with different content (not written by this job); write "
                                    "the store again with --no-resume, or choose another destination");
    }
    LogWarning(target + ": the stored object's CRC32C does not match the data sent; uploading it again");
    RETURN_IF_ERROR(Delete(bucket, name));
  }
  return DataLoss(target + ": the stored CRC32C never matched the data after " + std::to_string(kUploadRounds) +
                  " uploads");
}

Result<GcsObject> GcsClient::UploadOnce(const std::string& bucket, const std::string& name,
                                        std::span<const std::byte> data, std::uint32_t crc32c, bool if_absent,
                                        const UploadHooks& hooks) {
  if (data.size() < options_.resumable_threshold) return SimpleUpload(bucket, name, data, crc32c, if_absent);
  return ResumableUpload(bucket, name, data, crc32c, if_absent, hooks);
}

Result<GcsObject> GcsClient::SimpleUpload(const std::string& bucket, const std::string& name,
                                          std::span<const std::byte> data, std::uint32_t crc32c, bool if_absent) {
  const std::string target = Target(bucket, name);
  const std::string hash = "crc32c=" + Crc32cToBase64(crc32c);
  const bool json = options_.api == GcsApi::kJson;
  // Repeating an upload of the same bytes is harmless, with or without a
  // precondition, so it is always retried.
  ASSIGN_OR_RETURN(HttpResponse r, Send("uploading " + target, true, [&] {
    HttpRequest q;
    q.body = data;
    q.headers = {{"Content-Type", "application/octet-stream"}, {"x-goog-hash", hash}};
    if (json) {
      q.method = "POST";
      q.url = options_.endpoint + "/upload/storage/v1/b/" + UrlEncode(bucket) + "/o?uploadType=media&name=" +
              UrlEncode(name) + (if_absent ? "&ifGenerationMatch=0" : "") + "&" + kObjectFields;
    } else {
      q.method = "PUT";
      q.url = XmlObjectUrl(bucket, name);
      if (if_absent) q.headers.emplace_back("x-goog-if-generation-match", "0");
    }
    return q;
  }));
  if (r.status != 200 && r.status != 201) return Refused(r, "uploading", target);
  if (json) return ObjectFromJsonBody(r, target);
  return ObjectFromXmlHeaders(r, name, data.size());
}

Result<GcsObject> GcsClient::ResumableUpload(const std::string& bucket, const std::string& name,
                                             std::span<const std::byte> data, std::uint32_t crc32c,
                                             bool if_absent, const UploadHooks& hooks) {
  const std::string target = Target(bucket, name);
  const std::string crc = Crc32cToBase64(crc32c);
  const bool json = options_.api == GcsApi::kJson;
  const std::size_t total = data.size();
  const std::string metadata = nlohmann::json{{"name", name}, {"crc32c", crc}}.dump();

  std::string resume = hooks.resume_session;
  for (int restart = 0; restart <= kSessionRestarts; ++restart) {
    // An upload session is a value: its URL, how much the server holds, and
    // how much was sent (the server may keep less than it received).
    std::optional<std::string> session;
    if (!resume.empty()) {
      session = resume;  // left by an interrupted run: ask how far it got
      resume.clear();
    } else {
      ASSIGN_OR_RETURN(HttpResponse started, Send("starting an upload of " + target, true, [&] {
        HttpRequest q;
        q.method = "POST";
        if (json) {
          q.url = options_.endpoint + "/upload/storage/v1/b/" + UrlEncode(bucket) +
                  "/o?uploadType=resumable&name=" + UrlEncode(name) + (if_absent ? "&ifGenerationMatch=0" : "") +
                  "&" + kObjectFields;
          q.headers = {{"Content-Type", "application/json; charset=UTF-8"},
                       {"X-Upload-Content-Type", "application/octet-stream"},
                       {"X-Upload-Content-Length", std::to_string(total)}};
          q.body = std::as_bytes(std::span(metadata.data(), metadata.size()));
        } else {
          q.url = XmlObjectUrl(bucket, name);
          q.headers = {{"x-goog-resumable", "start"}, {"Content-Type", "application/octet-stream"}};
          if (if_absent) q.headers.emplace_back("x-goog-if-generation-match", "0");
        }
        return q;
      }));
      if (started.status != 200 && started.status != 201) {
        return Refused(started, "starting an upload of", target);
      }
      session = started.Header("location");
      if (!session || session->empty()) return Status(ErrorCode::kUnavailable, target + ": no upload session URL");
      if (hooks.on_session) hooks.on_session(*session);
    }
    const bool resumed = restart == 0 && !hooks.resume_session.empty();
    if (resumed && Origin(*session) != Origin(options_.endpoint)) {
      // The interrupted run spelled the endpoint otherwise (or used another):
      // its session is not worth the token; the bytes go up again.
      LogWarning(target + ": the interrupted run's upload session is on " + UrlHost(*session) +
                 ", not on the storage endpoint " + UrlHost(options_.endpoint) + "; starting a new upload");
      continue;
    }
    if (Origin(*session) != Origin(options_.endpoint)) {
      // Session URLs come back on the endpoint's host; another host (a
      // rewriting proxy, a changed endpoint) does not get the token.
      return Status(ErrorCode::kPermissionDenied, target + ": the upload session is on " + UrlHost(*session) +
                                                      ", not on the storage endpoint " + UrlHost(options_.endpoint) +
                                                      "; nothing was sent there");
    }

    // A resumed session sent an unknown amount before: ask first.
    std::size_t committed = 0, sent_end = resumed ? total : 0;
    bool need_query = resumed, expired = false;
    auto update = [&](const HttpResponse& r) -> Status {
      ASSIGN_OR_RETURN(std::size_t persisted, PersistedSize(r, target));
      if (persisted < committed) {
        return DataLoss(target + ": the upload session's committed size went backwards (" +
                        std::to_string(committed) + " to " + std::to_string(persisted) + " bytes)");
      }
      if (persisted > sent_end) {
        return DataLoss(target + ": the upload session reports " + std::to_string(persisted) +
                        " bytes committed, more than the " + std::to_string(sent_end) + " sent");
      }
      committed = persisted;
      return Status::Ok();
    };
    while (!expired) {
      auto attempt = [&](const std::string& authorization) -> Result<HttpResponse> {
        auto request = [&](const std::string& range, std::span<const std::byte> body, bool last) {
          HttpRequest q;
          q.method = "PUT";
          q.url = *session;
          q.body = body;
          q.headers = {{"Content-Range", range}};
          if (last && !json) q.headers.emplace_back("x-goog-hash", "crc32c=" + crc);
          if (!authorization.empty()) q.headers.emplace_back("Authorization", authorization);
          return q;
        };
        if (need_query) {  // after a failure: how much did the server keep?
          ASSIGN_OR_RETURN(HttpResponse status, transport_->Send(request("bytes */" + std::to_string(total), {}, false)));
          if (status.status != 308) return status;
          RETURN_IF_ERROR(update(status));
          need_query = false;
        }
        const std::size_t n = std::min(options_.piece_size, total - committed);
        const bool last = committed + n == total;
        // n == 0: every byte is held but the object is not final yet.
        std::string range = n == 0 ? "bytes */" + std::to_string(total)
                                   : "bytes " + std::to_string(committed) + "-" + std::to_string(committed + n - 1) +
                                         "/" + (last ? std::to_string(total) : "*");
        sent_end = std::max(sent_end, committed + n);
        auto reply = transport_->Send(request(range, data.subspan(committed, n), last));
        need_query = !reply.ok() || IsRetryableStatus(reply->status);
        if (reply.ok() && reply->status == 308) {
          Status held = update(*reply);  // a malformed reply is retried, asking first
          need_query = !held.ok();
          RETURN_IF_ERROR(held);
        }
        return reply;
      };
      ASSIGN_OR_RETURN(HttpResponse r, RetryLoop(options_.retry, clock_, credentials_.get(), true,
                                                 "uploading " + target, attempt, &counters_));
      if (r.status == 308) continue;  // the attempt brought `committed` up to date: the next piece
      if (r.status == 200 || r.status == 201) {
        if (json) return ObjectFromJsonBody(r, target);
        return ObjectFromXmlHeaders(r, name, total);
      } else if (r.status == 404 || r.status == 410) {
        LogWarning(target + ": the upload session expired; starting a new one");
        expired = true;
      } else if (resumed && r.status == 400) {
        // An interrupted run's session the server will not take bytes for
        // (one it failed, e.g. on a CRC32C mismatch): a new session.
        LogWarning(target + ": the interrupted run's upload session was refused (" + ServerMessage(r) +
                   "); starting a new upload");
        expired = true;
      } else {
        return Refused(r, "uploading", target);
      }
    }
  }
  return Status(ErrorCode::kUnavailable, target + ": upload sessions kept expiring");
}

Result<GcsObject> GcsClient::GetMetadata(const std::string& bucket, const std::string& name) {
  const std::string target = Target(bucket, name);
  ASSIGN_OR_RETURN(HttpResponse r, Send("reading the metadata of " + target, true, [&] {
    HttpRequest q;
    q.url = JsonObjectUrl(bucket, name) + "?" + kObjectFields;
    return q;
  }));
  if (r.status != 200) return Refused(r, "reading", target);
  return ObjectFromJsonBody(r, target);
}

Result<std::vector<std::byte>> GcsClient::Download(const std::string& bucket, const std::string& name) {
  const std::string target = Target(bucket, name);
  auto attempt = [&](const std::string& authorization) -> Result<HttpResponse> {
    HttpRequest q;
    q.url = JsonObjectUrl(bucket, name) + "?alt=media";
    if (!authorization.empty()) q.headers.emplace_back("Authorization", authorization);
    ASSIGN_OR_RETURN(HttpResponse r, transport_->Send(q));
    if (r.status != 200) return r;
    auto expected = Crc32cFromHashHeader(r.Header("x-goog-hash").value_or(""));
    auto actual = Crc32c(std::as_bytes(std::span(r.body.data(), r.body.size())));
    if (expected && *expected != actual) {
      // A damaged transfer: retried like a broken connection.
      return Status(ErrorCode::kUnavailable, "the downloaded bytes of " + target + " do not match their CRC32C");
    }
    return r;
  };
  ASSIGN_OR_RETURN(HttpResponse r,
                   RetryLoop(options_.retry, clock_, credentials_.get(), true, "downloading " + target, attempt, &counters_));
  if (r.status != 200) return Refused(r, "downloading", target);
  const auto* p = reinterpret_cast<const std::byte*>(r.body.data());
  return std::vector<std::byte>(p, p + r.body.size());
}

Result<GcsListPage> GcsClient::List(const std::string& bucket, const std::string& prefix,
                                    const std::string& delimiter, const std::string& page_token,
                                    std::size_t max_results) {
  const std::string target = "gs://" + bucket + "/" + prefix;
  ASSIGN_OR_RETURN(HttpResponse r, Send("listing " + target, true, [&] {
    HttpRequest q;
    q.url = options_.endpoint + "/storage/v1/b/" + UrlEncode(bucket) + "/o?prefix=" + UrlEncode(prefix) +
            "&maxResults=" + std::to_string(max_results) + "&" + kListFields;
    if (!delimiter.empty()) q.url += "&delimiter=" + UrlEncode(delimiter);
    if (!page_token.empty()) q.url += "&pageToken=" + UrlEncode(page_token);
    return q;
  }));
  if (r.status != 200) return Refused(r, "listing", target);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object()) return Status(ErrorCode::kUnavailable, "listing " + target + ": the reply is not JSON");
  GcsListPage page;
  for (const auto& item : j.value("items", nlohmann::json::array())) {
    auto o = ParseObject(item);
    if (!o) return Status(ErrorCode::kUnavailable, "listing " + target + ": a malformed item");
    page.objects.push_back(std::move(*o));
  }
  for (const auto& p : j.value("prefixes", nlohmann::json::array())) page.prefixes.push_back(p.get<std::string>());
  page.next_page_token = j.value("nextPageToken", "");
  return page;
}

Status GcsClient::Delete(const std::string& bucket, const std::string& name) {
  const std::string target = Target(bucket, name);
  ASSIGN_OR_RETURN(HttpResponse r, Send("deleting " + target, true, [&] {
    HttpRequest q;
    q.method = "DELETE";
    q.url = JsonObjectUrl(bucket, name);
    return q;
  }));
  // 404: already gone (perhaps by an attempt whose reply was lost).
  if (r.status == 204 || r.status == 200 || r.status == 404) return Status::Ok();
  return Refused(r, "deleting", target);
}

Status GcsClient::CheckBucket(const std::string& bucket) {
  ASSIGN_OR_RETURN(HttpResponse r, Send("checking bucket gs://" + bucket, true, [&] {
    HttpRequest q;
    q.url = options_.endpoint + "/storage/v1/b/" + UrlEncode(bucket);
    return q;
  }));
  if (r.status == 200) return Status::Ok();
  if (r.status == 404) return NotFound("bucket '" + bucket + "' does not exist; check the destination's bucket name");
  return Refused(r, "checking", "gs://" + bucket);
}

}  // namespace nc2zarr
