// Run under mpirun: every item is taken exactly once, a slow rank takes
// fewer items than the others (the queue balances dynamically), and rank 0
// ends with every rank's final progress, even progress reported after a
// rank's last request (as its chunk threads finish their items).
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
  // After the last Next: what a rank's threads finished last.
  queue->ReportProgress(nc2zarr::WorkProgress{mine, 1000 * mine, 10 * mine + 1});
  queue->Finish();
  const nc2zarr::WorkProgress job = queue->JobProgress();
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
    const unsigned long long ranks = static_cast<unsigned long long>(comm.size());
    if (job.items != kItems || job.bytes_in != 1000 * kItems || job.bytes_out != 10 * kItems + ranks) {
      std::printf("rank 0's final progress is %llu items, %llu in, %llu out; wanted %zu, %zu, %llu\n",
                  static_cast<unsigned long long>(job.items), static_cast<unsigned long long>(job.bytes_in),
                  static_cast<unsigned long long>(job.bytes_out), kItems, 1000 * kItems, 10 * kItems + ranks);
      ++failures;
    }
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
