// RFC 3986 percent-encoding: everything but letters, digits and "-._~" as
// %XX. URLs and forms are written with it; redaction looks for secrets
// spelled that way.
#pragma once

#include <string>

namespace nc2zarr {

std::string PercentEncode(const std::string& text, bool upper_hex = true);

}  // namespace nc2zarr
