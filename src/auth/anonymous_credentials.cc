#include "nc2zarr/auth/credentials.h"

namespace nc2zarr {
namespace {

class AnonymousCredentials final : public Credentials {
 public:
  Result<std::string> AuthorizationHeader() override { return std::string(); }
  void Invalidate() override {}
  std::string Describe() const override { return "anonymous (no credentials)"; }
  bool SendsSecrets() const override { return false; }
};

}  // namespace

std::shared_ptr<Credentials> MakeAnonymousCredentials() { return std::make_shared<AnonymousCredentials>(); }

}  // namespace nc2zarr
