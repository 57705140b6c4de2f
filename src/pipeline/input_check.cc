#include "nc2zarr/pipeline/input_check.h"

#include "nc2zarr/base/file_stamp.h"

namespace nc2zarr {

Status CheckInputsUnchanged(const Plan& plan, int rank, int ranks) {
  for (std::size_t i = static_cast<std::size_t>(rank); i < plan.files.size(); i += static_cast<std::size_t>(ranks)) {
    const InputFile& f = plan.files[i];
    auto now = StampOf(f.path);
    if (!now || now->size_bytes != f.size_bytes || now->mtime_ns != f.mtime_ns) {
      return InvalidInput("input " + f.path +
                          " changed (size or modification time) while it was being converted, so its chunks may mix "
                          "old and new data; nothing was committed: once the inputs stop changing, run the same "
                          "command with --overwrite to convert them anew");
    }
  }
  return Status::Ok();
}

}  // namespace nc2zarr
