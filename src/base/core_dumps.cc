#include "nc2zarr/base/core_dumps.h"

#include <sys/resource.h>

namespace nc2zarr {

void KeepSecretsOutOfCoreDumps() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_CORE, &limit) != 0) limit.rlim_max = RLIM_INFINITY;
  limit.rlim_cur = 0;
  ::setrlimit(RLIMIT_CORE, &limit);
}

}  // namespace nc2zarr
