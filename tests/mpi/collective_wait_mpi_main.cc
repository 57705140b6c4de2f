// Run under mpirun: a rank waiting in a collective for a slower rank does not
// spin a core (Open MPI's blocking calls would), and the collectives still
// give the right values.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "nc2zarr/mpi/mpi_comm.h"

namespace {

constexpr auto kLateBy = std::chrono::milliseconds(600);

double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Runs `collective` on every rank, with `late` arriving kLateBy after the
// others; a waiting rank may use at most a quarter of the wait in CPU.
int WaitCheck(nc2zarr::Comm& comm, const char* what, int late, const std::function<bool()>& collective) {
  if (comm.rank() == late) std::this_thread::sleep_for(kLateBy);
  const double cpu = ProcessCpuSeconds();
  const bool right = collective();
  const double used = ProcessCpuSeconds() - cpu;
  int failures = right ? 0 : 1;
  if (!right) std::printf("rank %d: %s gave a wrong value\n", comm.rank(), what);
  if (comm.rank() != late && used > 0.25 * std::chrono::duration<double>(kLateBy).count()) {
    std::printf("rank %d: waiting in %s for rank %d used %.3f CPU-s\n", comm.rank(), what, late, used);
    ++failures;
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  nc2zarr::MpiSession mpi(&argc, &argv);
  nc2zarr::Comm& comm = mpi.world();
  const int last = comm.size() - 1;
  int failures = 0;
  failures += WaitCheck(comm, "AllTrue", 0, [&] { return comm.AllTrue(true) && !comm.AllTrue(comm.rank() != 0); });
  failures += WaitCheck(comm, "SumDouble", last, [&] { return comm.SumDouble(1.0) == comm.size(); });
  failures += WaitCheck(comm, "Broadcast", 0, [&] {
    std::string data = comm.rank() == 0 ? "plan" : "";
    comm.Broadcast(data, 0);
    return data == "plan";
  });
  failures += WaitCheck(comm, "Gather", last, [&] {
    auto all = comm.Gather(std::to_string(comm.rank()), 0);
    if (comm.rank() != 0) return all.empty();
    for (int r = 0; r < comm.size(); ++r) {
      if (all[static_cast<std::size_t>(r)] != std::to_string(r)) return false;
    }
    return true;
  });
  if (failures == 0 && comm.rank() == 0) std::printf("collectives waited without spinning on %d ranks\n", comm.size());
  return comm.AllTrue(failures == 0) ? 0 : 1;
}
