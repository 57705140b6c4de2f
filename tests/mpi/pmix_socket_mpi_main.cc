// Run under mpirun: after nc2zarr's MPI start-up, the rank's connection to
// the launcher's PMIx server sends without Nagle's delay (TCP_NODELAY), so
// MPI_Finalize does not wait for the server's delayed ACK.
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>

#include "nc2zarr/mpi/mpi_comm.h"
#include "nc2zarr/mpi/pmix_server_socket.h"

int main(int argc, char** argv) {
  nc2zarr::MpiSession mpi(&argc, &argv);
  const int rank = mpi.world().rank();
  const auto server = nc2zarr::PmixServerFromEnvironment([](const char* name) { return std::getenv(name); });
  if (!server) {
    std::printf("rank %d: no PMIX_SERVER_URI* with a TCP address; Open MPI's mpirun gives one\n", rank);
    return 1;
  }
  const auto sockets = nc2zarr::SocketsConnectedTo(*server);
  if (sockets.empty()) {
    std::printf("rank %d: no socket connected to the PMIx server named in PMIX_SERVER_URI*\n", rank);
    return 1;
  }
  int failures = 0;
  for (const int fd : sockets) {
    int value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &length) != 0 || value == 0) {
      std::printf("rank %d: socket %d to the PMIx server still has Nagle's algorithm on\n", rank, fd);
      ++failures;
    }
  }
  if (failures == 0) std::printf("rank %d: %zu socket(s) to the PMIx server, TCP_NODELAY on\n", rank, sockets.size());
  return failures == 0 ? 0 : 1;
}
