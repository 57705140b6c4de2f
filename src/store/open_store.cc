#include "nc2zarr/store/open_store.h"

#include <cstdlib>
#include <filesystem>

#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/store/gcs_store.h"
#include "nc2zarr/store/local_store.h"

namespace nc2zarr {

bool IsRemoteDestination(const std::string& destination) { return destination.find("://") != std::string::npos; }

Result<std::unique_ptr<Store>> OpenStore(const std::string& destination, const DestinationOptions& options) {
  if (destination.empty()) return UsageError("no destination given (-o PATH)");
  if (IsGcsUrl(destination)) {
    ASSIGN_OR_RETURN(GcsPath path, ParseGcsUrl(destination));
    GcsOptions gcs = options.gcs;
    gcs.endpoint = ChooseEndpoint(options.gcs_endpoint, std::getenv("STORAGE_EMULATOR_HOST"));
    auto credentials = options.credentials ? options.credentials : MakeAnonymousCredentials();
    RETURN_IF_ERROR(CheckStorageEndpoint(gcs.endpoint, credentials->SendsSecrets()));
    auto pacer = std::make_shared<RequestPacer>(PacerOptions{options.initial_job_rate, std::chrono::minutes(20), options.ranks});
    TransportOptions transport = gcs.transport;
    return std::unique_ptr<Store>(std::make_unique<GcsStore>(
        path, gcs, credentials, [transport] { return MakeCurlTransport(transport); }, pacer));
  }
  if (IsRemoteDestination(destination)) {
    return UsageError("destination '" + destination + "': use a local directory or gs://BUCKET/PATH");
  }
  std::error_code ec;
  if (std::filesystem::exists(destination, ec) && !std::filesystem::is_directory(destination, ec)) {
    return InvalidInput(destination + " is a file, not a directory: a Zarr store is a directory; choose another path");
  }
  return std::unique_ptr<Store>(std::make_unique<LocalStore>(destination));
}

}  // namespace nc2zarr
