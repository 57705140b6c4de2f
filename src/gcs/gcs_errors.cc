#include "nc2zarr/gcs/gcs_errors.h"

#include <nlohmann/json.hpp>

#include "nc2zarr/base/redaction.h"

namespace nc2zarr {

std::string ServerMessage(const HttpResponse& response) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object() && json["error"].contains("message") &&
      json["error"]["message"].is_string()) {
    return ServerTextForMessage(json["error"]["message"].get<std::string>());
  }
  auto start = response.body.find("<Message>"), end = response.body.find("</Message>");
  if (start != std::string::npos && end != std::string::npos && end > start) {
    return ServerTextForMessage(response.body.substr(start + 9, end - start - 9));
  }
  return "";
}

Status ResponseError(const HttpResponse& response, const std::string& doing, const std::string& target,
                     bool anonymous) {
  const long s = response.status;
  std::string server = ServerMessage(response);
  std::string detail = " (HTTP " + std::to_string(s) + (server.empty() ? "" : ": " + server) + ")";
  std::string head = doing + " " + target;
  if (s == 404) {
    if (server.find("bucket") != std::string::npos) {
      std::string bucket = target.substr(5, target.find('/', 5) - 5);
      return NotFound("bucket '" + bucket + "' does not exist" + detail + "; check the destination's bucket name");
    }
    return NotFound(head + ": not found" + detail);
  }
  if (s == 401 && anonymous) {
    return Status(ErrorCode::kPermissionDenied, head + ": the server wants credentials, and none were sent" + detail +
                                                    "; give --credentials or --token-file (STORAGE_EMULATOR_HOST "
                                                    "alone means none)");
  }
  if (s == 401) {
    return Status(ErrorCode::kPermissionDenied,
                  head + ": the credentials were rejected" + detail + "; get a fresh token or check the credentials file");
  }
  if (s == 403) {
    const bool reads = doing == "reading" || doing == "downloading" || doing == "listing" || doing == "checking";
    return Status(ErrorCode::kPermissionDenied,
                  head + ": permission denied" + detail + "; the account needs " + (reads ? "read" : "write") +
                      " access to the bucket");
  }
  if (s == 412) return AlreadyExists(head + ": the object already exists" + detail);
  if (s == 400 && (server.find("doesn't match calculated") != std::string::npos ||
                   response.body.find("<Code>BadDigest</Code>") != std::string::npos)) {
    // The hash sent with the bytes is of our buffer: the bytes changed on the way.
    return DataLoss(head + ": the server received other bytes than were sent" + detail);
  }
  if (s >= 500 || s == 408 || s == 429) return Status(ErrorCode::kUnavailable, head + ": the service failed" + detail);
  return IoError(head + ": the request was refused" + detail);
}

}  // namespace nc2zarr
