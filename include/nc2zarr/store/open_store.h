// The store for a destination given on the command line.
#pragma once

#include <memory>
#include <string>

#include "nc2zarr/base/status.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

Result<std::unique_ptr<Store>> OpenStore(const std::string& destination);

}  // namespace nc2zarr
