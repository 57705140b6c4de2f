#include "nc2zarr/cli/credentials_choice.h"

namespace nc2zarr {

Result<std::shared_ptr<Credentials>> ChooseCredentials(const AuthOptions& options) {
  if (options.anonymous) return MakeAnonymousCredentials();
  return UsageError("no credentials for gs://: pass --anonymous (token files and key files come with the "
                    "credentials module)");
}

}  // namespace nc2zarr
