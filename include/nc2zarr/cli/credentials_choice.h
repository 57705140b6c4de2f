// The credentials the command line asks for, for a gs:// destination.
#pragma once

#include <memory>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/cli/options.h"

namespace nc2zarr {

Result<std::shared_ptr<Credentials>> ChooseCredentials(const AuthOptions& options);

}  // namespace nc2zarr
