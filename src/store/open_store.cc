#include "nc2zarr/store/open_store.h"

#include "nc2zarr/store/local_store.h"

namespace nc2zarr {

Result<std::unique_ptr<Store>> OpenStore(const std::string& destination) {
  if (destination.empty()) return UsageError("no destination given (-o PATH)");
  if (destination.find("://") != std::string::npos) {
    return UsageError("destination '" + destination + "': only local directories are supported by this build");
  }
  return std::unique_ptr<Store>(std::make_unique<LocalStore>(destination));
}

}  // namespace nc2zarr
