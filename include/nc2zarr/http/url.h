// Parts of URLs as messages and security checks need them.
#pragma once

#include <string>

namespace nc2zarr {

// The host (and port) of a URL: "https://a.b:8/x" gives "a.b:8". A
// "user:password@" is never part of it: this is what messages show.
std::string UrlHost(const std::string& url);

// Whether the URL carries a user name or password ("http://u:p@host").
bool UrlHasUserInfo(const std::string& url);

// 127.0.0.0/8, ::1 ("[::1]" in a URL) or localhost.
bool IsLoopbackHost(const std::string& host);

}  // namespace nc2zarr
