// Reading files that hold secrets (key files, gcloud's files, token files):
// size-limited, with a warning when other users may read them, and errors
// that name the file but never quote its content.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

// The whole file (at most 64 KiB). `what` names it in messages ("token file
// /p/token.txt"). With warn_open_permissions, a file whose mode lets group
// or others in (mode & 077) draws a warning suggesting chmod 600.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what, bool warn_open_permissions);

// A credentials file's text as a JSON object. A syntax error is reported by
// line and column only: parser messages quote the text, which holds secrets.
Result<nlohmann::json> ParseCredentialsJson(const std::string& text, const std::string& what);

// The non-empty string `field` of `object`, else an error naming the file
// (`what`), the field, and `fix`.
Result<std::string> RequiredString(const nlohmann::json& object, const std::string& field, const std::string& what,
                                   const std::string& fix);
// The string `field`, or `fallback` when absent, empty or not a string.
std::string OptionalString(const nlohmann::json& object, const std::string& field, const std::string& fallback = "");

}  // namespace nc2zarr
