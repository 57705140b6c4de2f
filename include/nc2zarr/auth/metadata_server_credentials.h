// The metadata server of a cloud VM: tokens for the VM's service account,
// over plain http at a link-local address (by design), asked with
// `Metadata-Flavor: Google`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nc2zarr/auth/token_endpoint.h"
#include "nc2zarr/auth/token_source.h"

namespace nc2zarr {

inline constexpr char kMetadataServerHost[] = "169.254.169.254";

// A host as GCE_METADATA_HOST may give it: "name" or "name:port" only, as
// credentials go there over plain http.
Status CheckMetadataHost(const std::string& host);

// http://HOST/computeMetadata/v1/instance/service-accounts/default/token,
// with ?scopes= unless the scopes are just kStorageReadWriteScope.
std::string MetadataTokenUrl(const std::string& host, const std::vector<std::string>& scopes);

// `origin` says how the host was chosen ("standard address", "GCE_METADATA_HOST").
// Fetch errors: kUnavailable when nothing answers, kNotFound when what
// answers is not a metadata server (no `Metadata-Flavor: Google` reply
// header), kPermissionDenied when it refuses.
std::unique_ptr<TokenSource> MakeMetadataServerTokenSource(std::string host, std::string origin,
                                                           std::vector<std::string> scopes, TokenEndpointClient client);

}  // namespace nc2zarr
