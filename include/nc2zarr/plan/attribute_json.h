// NetCDF attributes as JSON, keeping every bit: for the plan and for scans
// sent between ranks.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/model/attribute.h"

namespace nc2zarr {

nlohmann::json AttributesJson(const std::vector<Attribute>& attributes);
Result<std::vector<Attribute>> AttributesFrom(const nlohmann::json& list);

}  // namespace nc2zarr
