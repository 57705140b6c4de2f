// A rank talks to its launcher's PMIx server (in `mpirun`) over a TCP
// connection on which the PMIx library leaves Nagle's algorithm on. Its
// small messages then wait for the server's delayed ACK: MPI_Finalize took
// 45 ms instead of 3 ms on every run (docs/performance.md). After MPI_Init,
// nc2zarr turns Nagle off on that one connection (TCP_NODELAY): it changes
// only when bytes leave, never what is sent.
#pragma once

#include <netinet/in.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nc2zarr {

// Where the PMIx server listens, as a socket address (IPv4 or IPv6).
struct PmixServerAddress {
  sockaddr_storage address{};
};

// The TCP address in the PMIx server URI the launcher gives its ranks
// (PMIX_SERVER_URI41 ... PMIX_SERVER_URI2, e.g. "123.0;tcp4://127.0.0.1:5539"),
// or nothing: no PMIx, or a server reached another way (a Unix socket).
std::optional<PmixServerAddress> PmixServerFromEnvironment(const std::function<const char*(const char*)>& getenv);

// This process's TCP sockets connected to `server` (file descriptors).
std::vector<int> SocketsConnectedTo(const PmixServerAddress& server);

// Sets TCP_NODELAY on each of them; returns how many it set.
int DisableNagleTowards(const PmixServerAddress& server);

// Both, for this process (after MPI_Init).
void DisableNagleTowardsPmixServer();

}  // namespace nc2zarr
