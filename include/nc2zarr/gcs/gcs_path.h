// gs://bucket/prefix, as users write destinations.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct GcsPath {
  std::string bucket;
  std::string prefix;  // no leading or trailing slash; "" for the bucket root

  // The object name of a key under the prefix.
  std::string ObjectName(const std::string& key) const { return prefix.empty() ? key : prefix + "/" + key; }
  std::string ToString() const { return "gs://" + bucket + (prefix.empty() ? "" : "/" + prefix); }
};

bool IsGcsUrl(const std::string& text);
// Checks the bucket name against GCS's naming rules and the prefix for
// empty segments; a clear usage error otherwise.
Result<GcsPath> ParseGcsUrl(const std::string& text);

}  // namespace nc2zarr
