// The Zarr metadata of a planned dataset, as xarray writes it: .zgroup and
// .zattrs per group, .zarray and .zattrs (with _ARRAY_DIMENSIONS) per array,
// and the consolidated .zmetadata, which is always the last object.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

struct MetadataObject {
  std::string key;
  std::string text;
};

// Every metadata object in the order to write them: arrays first, each
// group's .zgroup after everything inside it (the root's last but one),
// .zmetadata (the commit point) last.
std::vector<MetadataObject> DatasetMetadata(const Plan& plan);

}  // namespace nc2zarr
