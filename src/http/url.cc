#include "nc2zarr/http/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace nc2zarr {
namespace {

// Between "scheme://" and the path, query or fragment: "user:pw@host:port".
std::string UrlAuthority(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string UrlHost(const std::string& url) {
  const std::string authority = UrlAuthority(url);
  auto at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

bool UrlHasUserInfo(const std::string& url) { return UrlAuthority(url).find('@') != std::string::npos; }

bool IsLoopbackHost(const std::string& host_and_port) {
  std::string host = host_and_port;
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace nc2zarr
