#include "nc2zarr/mpi/pmix_server_socket.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace nc2zarr {
namespace {

// Newest first: each PMIx version exports its own name, all with one server.
constexpr const char* kUriVariables[] = {"PMIX_SERVER_URI41", "PMIX_SERVER_URI4", "PMIX_SERVER_URI3",
                                         "PMIX_SERVER_URI21", "PMIX_SERVER_URI2"};

std::optional<in_port_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return htons(static_cast<uint16_t>(value));
}

std::optional<PmixServerAddress> MakeAddress(int family, const std::string& host, std::string_view port_text) {
  const auto port = ParsePort(port_text);
  if (!port) return std::nullopt;
  PmixServerAddress server;
  server.address.ss_family = static_cast<sa_family_t>(family);
  auto* ipv4 = reinterpret_cast<sockaddr_in*>(&server.address);
  auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&server.address);
  void* host_bytes = family == AF_INET ? static_cast<void*>(&ipv4->sin_addr) : static_cast<void*>(&ipv6->sin6_addr);
  if (inet_pton(family, host.c_str(), host_bytes) != 1) return std::nullopt;
  (family == AF_INET ? ipv4->sin_port : ipv6->sin6_port) = *port;
  return server;
}

// "tcp4://127.0.0.1:5539" or "tcp6://[::1]:5539" anywhere in `uri`, where
// ';' separates the parts.
std::optional<PmixServerAddress> ParseTcpUri(std::string_view uri) {
  const auto part_after = [uri](std::size_t at) {
    const std::string_view rest = uri.substr(at);
    return rest.substr(0, rest.find(';'));
  };
  if (const auto at = uri.find("tcp4://"); at != std::string_view::npos) {
    const std::string_view rest = part_after(at + 7);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return MakeAddress(AF_INET, std::string(rest.substr(0, colon)), rest.substr(colon + 1));
  }
  if (const auto at = uri.find("tcp6://["); at != std::string_view::npos) {
    const std::string_view rest = part_after(at + 8);
    const auto close = rest.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    return MakeAddress(AF_INET6, std::string(rest.substr(0, close)), rest.substr(close + 2));
  }
  return std::nullopt;
}

bool SamePeer(const sockaddr_storage& peer, const sockaddr_storage& server) {
  if (peer.ss_family != server.ss_family) return false;
  if (peer.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(peer);
    const auto& b = reinterpret_cast<const sockaddr_in&>(server);
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
  }
  if (peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(peer);
    const auto& b = reinterpret_cast<const sockaddr_in6&>(server);
    return a.sin6_port == b.sin6_port && std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof a.sin6_addr) == 0;
  }
  return false;
}

bool ConnectedTo(int fd, const PmixServerAddress& server) {
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM) return false;
  sockaddr_storage peer{};
  length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return false;
  return SamePeer(peer, server.address);
}

}  // namespace

std::optional<PmixServerAddress> PmixServerFromEnvironment(const std::function<const char*(const char*)>& getenv) {
  for (const char* name : kUriVariables) {
    if (const char* uri = getenv(name)) return ParseTcpUri(uri);
  }
  return std::nullopt;
}

std::vector<int> SocketsConnectedTo(const PmixServerAddress& server) {
  std::vector<int> sockets;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    int fd = -1;
    const std::string name = it->path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    if (ConnectedTo(fd, server)) sockets.push_back(fd);
  }
  return sockets;
}

int DisableNagleTowards(const PmixServerAddress& server) {
  int changed = 0;
  for (const int fd : SocketsConnectedTo(server)) {
    const int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++changed;
  }
  return changed;
}

void DisableNagleTowardsPmixServer() {
  const auto server = PmixServerFromEnvironment([](const char* name) { return std::getenv(name); });
  if (server) DisableNagleTowards(*server);
}

}  // namespace nc2zarr
