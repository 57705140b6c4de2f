#include "nc2zarr/pipeline/chunk_threads.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>

namespace nc2zarr {

std::size_t DefaultChunkThreads(std::size_t affinity_cpus, std::size_t online_cpus, std::size_t ranks_on_node) {
  // Unbound ranks all see every CPU: each gets its share of them.
  const std::size_t share = std::max<std::size_t>(online_cpus, 1) / std::max<std::size_t>(ranks_on_node, 1);
  return std::clamp<std::size_t>(std::min(affinity_cpus, share), 1, kMaxDefaultChunkThreads);
}

std::size_t DefaultChunkThreads(std::size_t ranks_on_node) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::size_t affinity = 1;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) affinity = static_cast<std::size_t>(CPU_COUNT(&set));
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return DefaultChunkThreads(affinity, online > 0 ? static_cast<std::size_t>(online) : 1, ranks_on_node);
}

}  // namespace nc2zarr
