// A bearer token in a file (`--token-file`, the hub's token.txt). Its expiry
// is unknown, so it is read again only after a 401: by then the user may
// have put a fresh token in the file.
#pragma once

#include <memory>
#include <string>

#include "nc2zarr/auth/token_source.h"

namespace nc2zarr {

// The one word in a token file's text, whitespace trimmed; `what` names the
// file in messages. Refuses an empty file, several words ("Bearer ..."),
// JSON (a credentials file given as a token file) and control characters.
Result<std::string> ParseTokenFileText(const std::string& text, const std::string& what);

std::unique_ptr<TokenSource> MakeTokenFileSource(std::string path, bool warn_open_permissions);

}  // namespace nc2zarr
