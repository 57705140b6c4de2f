// What a GCS error response means for the user, in one line.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/http/transport.h"

namespace nc2zarr {

// The server's own message from a JSON or XML error body ("" if none),
// without anything shaped like a token (see base/redaction.h).
std::string ServerMessage(const HttpResponse& response);

// A Status for a non-success response to a request about `target`
// ("gs://bucket/name"); the code follows the HTTP status (404 kNotFound,
// 401/403 kPermissionDenied, 412 kAlreadyExists, 5xx kUnavailable, other
// 4xx kIo) and the message says what to do (for a 401 to an anonymous
// request: that credentials are needed, not that they were rejected).
Status ResponseError(const HttpResponse& response, const std::string& doing, const std::string& target,
                     bool anonymous = false);

}  // namespace nc2zarr
