#include "nc2zarr/pipeline/input_check.h"

#include <sys/stat.h>

namespace nc2zarr {

Status CheckInputsUnchanged(const Plan& plan, int rank, int ranks) {
  for (std::size_t i = static_cast<std::size_t>(rank); i < plan.files.size(); i += static_cast<std::size_t>(ranks)) {
    const InputFile& f = plan.files[i];
    struct stat sb {};
    bool same = ::stat(f.path.c_str(), &sb) == 0 && static_cast<std::uint64_t>(sb.st_size) == f.size_bytes &&
                static_cast<std::int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec == f.mtime_ns;
    if (!same) {
      return InvalidInput("input " + f.path +
                          " changed (size or modification time) while it was being converted, so its chunks may mix "
                          "old and new data; nothing was committed: once the inputs stop changing, run the same "
                          "command with --overwrite to convert them anew");
    }
  }
  return Status::Ok();
}

}  // namespace nc2zarr
