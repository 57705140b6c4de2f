// The store for a destination given on the command line: a local directory
// or gs://bucket/prefix.
#pragma once

#include <memory>
#include <string>

#include "nc2zarr/auth/credentials.h"
#include "nc2zarr/base/status.h"
#include "nc2zarr/gcs/gcs_client.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

struct DestinationOptions {
  std::string gcs_endpoint;  // --gcs-endpoint; else STORAGE_EMULATOR_HOST; else GCS
  GcsOptions gcs;            // api, sizes, retry and transport settings (endpoint filled in)
  double initial_job_rate = 1000;  // object writes per second for the whole job, at first
  int ranks = 1;
  std::shared_ptr<Credentials> credentials;  // for gs://; anonymous when null
};

bool IsRemoteDestination(const std::string& destination);
Result<std::unique_ptr<Store>> OpenStore(const std::string& destination, const DestinationOptions& options = {});

}  // namespace nc2zarr
