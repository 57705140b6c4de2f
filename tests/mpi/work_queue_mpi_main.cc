// Run under mpirun: every item is taken exactly once, and a slow rank takes
// fewer items than the others (the queue balances dynamically).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "nc2zarr/mpi/mpi_comm.h"

int main(int argc, char** argv) {
  nc2zarr::MpiSession mpi(&argc, &argv);
  nc2zarr::Comm& comm = mpi.world();
  constexpr std::size_t kItems = 300;
  const bool slow = comm.rank() == 1;
  std::string taken(kItems, '0');
  std::size_t mine = 0;
  auto queue = comm.StartWorkQueue(kItems);
  while (auto range = queue->Next()) {
    for (std::size_t i = range->first; i < range->second; ++i) {
      taken[i] = '1';
      ++mine;
      std::this_thread::sleep_for(std::chrono::milliseconds(slow ? 20 : 2));
    }
  }
  queue->Finish();
  auto all = comm.Gather(taken, 0);
  auto counts = comm.Gather(std::to_string(mine), 0);
  int failures = 0;
  if (comm.rank() == 0) {
    for (std::size_t i = 0; i < kItems; ++i) {
      int owners = 0;
      for (const auto& t : all) owners += t[i] == '1';
      if (owners != 1) {
        std::printf("item %zu taken %d times\n", i, owners);
        ++failures;
      }
    }
    std::printf("items per rank:");
    for (const auto& c : counts) std::printf(" %s", c.c_str());
    std::printf("\n");
    std::size_t fast_count = std::stoul(counts[0]);
    std::size_t slow_count = comm.size() > 1 ? std::stoul(counts[1]) : 0;
    if (comm.size() > 1 && !(slow_count * 3 < fast_count)) {
      std::printf("the slow rank took %zu items, rank 0 took %zu: not balanced\n", slow_count, fast_count);
      ++failures;
    }
  }
  bool ok = comm.AllTrue(failures == 0);
  return ok ? 0 : 1;
}
