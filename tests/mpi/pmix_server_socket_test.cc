#include "nc2zarr/mpi/pmix_server_socket.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>

namespace nc2zarr {
namespace {

std::function<const char*(const char*)> Environment(const std::map<std::string, std::string>& variables) {
  return [variables](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

std::string Describe(const PmixServerAddress& server) {
  char host[INET6_ADDRSTRLEN] = {};
  if (server.address.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(server.address);
    inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(a.sin_port));
  }
  const auto& a = reinterpret_cast<const sockaddr_in6&>(server.address);
  inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(a.sin6_port));
}

TEST(PmixServerFromEnvironment, ReadsTheTcpAddressOpenMpiGivesItsRanks) {
  const auto server = PmixServerFromEnvironment(Environment({
      {"PMIX_SERVER_URI41", "2098135040.0;tcp4://127.0.0.1:55395"},
      {"PMIX_SERVER_URI2", "2098135040.0;tcp4://127.0.0.1:1"},
  }));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(Describe(*server), "127.0.0.1:55395");  // the newest variable wins
}

TEST(PmixServerFromEnvironment, ReadsOlderNamesAndIpv6) {
  const auto server = PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI3", "77.0;tcp6://[::1]:4242"}}));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(Describe(*server), "[::1]:4242");
}

TEST(PmixServerFromEnvironment, ReadsAnAddressFollowedByAnother) {
  const auto server = PmixServerFromEnvironment(
      Environment({{"PMIX_SERVER_URI4", "5.0;tcp4://10.1.2.3:700;tcp6://[fe80::1]:800"}}));
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(Describe(*server), "10.1.2.3:700");
  const auto ipv6 = PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "5.0;tcp6://[::1]:900;usock:/x"}}));
  ASSERT_TRUE(ipv6.has_value());
  EXPECT_EQ(Describe(*ipv6), "[::1]:900");
}

TEST(PmixServerFromEnvironment, NothingWithoutATcpServer) {
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({})).has_value());
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "1.0;usock:/tmp/pmix-1"}})).has_value());
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "1.0;tcp4://127.0.0.1:0"}})).has_value());
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "1.0;tcp4://host:99"}})).has_value());
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "1.0;tcp4://127.0.0.1:70000"}})).has_value());
  EXPECT_FALSE(PmixServerFromEnvironment(Environment({{"PMIX_SERVER_URI4", "1.0;tcp6://[::1]"}})).has_value());
}

// A listening socket on loopback and its port.
struct Listener {
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd, 4);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~Listener() { close(fd); }
  int Connect() const {
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return client;
  }
  PmixServerAddress Address() const {
    return *PmixServerFromEnvironment(
        Environment({{"PMIX_SERVER_URI4", "9.0;tcp4://127.0.0.1:" + std::to_string(port)}}));
  }
  int fd = -1;
  int port = 0;
};

bool NoDelay(int fd) {
  int value = 0;
  socklen_t length = sizeof value;
  EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &length), 0);
  return value != 0;
}

TEST(DisableNagleTowards, TouchesOnlyTheConnectionToTheServer) {
  Listener server;
  Listener other;
  const int to_server = server.Connect();
  const int to_other = other.Connect();
  ASSERT_FALSE(NoDelay(to_server));  // Linux's default: Nagle on

  EXPECT_EQ(SocketsConnectedTo(server.Address()), std::vector<int>{to_server});
  EXPECT_EQ(DisableNagleTowards(server.Address()), 1);
  EXPECT_TRUE(NoDelay(to_server));
  EXPECT_FALSE(NoDelay(to_other));
  EXPECT_FALSE(NoDelay(server.fd));  // the listening socket has no peer
  close(to_server);
  close(to_other);
}

TEST(DisableNagleTowards, NoConnectionNoChange) {
  Listener server;
  EXPECT_TRUE(SocketsConnectedTo(server.Address()).empty());
  EXPECT_EQ(DisableNagleTowards(server.Address()), 0);
}

}  // namespace
}  // namespace nc2zarr
