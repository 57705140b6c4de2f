// Server text that goes into a message (an error, a log line, the report)
// without the secrets a server may quote back: the request's own secrets in
// any spelling a server echoes (raw, form-encoded, JSON-escaped), and
// anything shaped like a token (after "Bearer", "access_token=", "ya29.",
// a "1//" refresh token).
#pragma once

#include <string>
#include <vector>

namespace nc2zarr {

// Replaces secrets and token-shaped text with "[redacted]".
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets = {});

// A JSON body rewritten with its escapes decoded ("\u002f" -> "/") and an
// XML body with its character references decoded ("&#47;" -> "/"), so a
// secret spelled with them is found; the meaning of the body is unchanged.
std::string DecodedForRedaction(std::string body);

// RedactSecrets, then fit for one line: printable ASCII, at most 200
// characters.
std::string ServerTextForMessage(std::string text, const std::vector<std::string>& secrets = {});

}  // namespace nc2zarr
