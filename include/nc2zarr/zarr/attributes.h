// NetCDF attributes as xarray writes them into .zattrs: what netCDF4-python
// returns for each attribute, made JSON (one value a scalar, several a list).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nc2zarr/model/attribute.h"

namespace nc2zarr {

nlohmann::json AttributeToJson(const Attribute& attribute);

// An object of all attributes except those named in skip.
nlohmann::json AttributesToJson(const std::vector<Attribute>& attributes,
                                const std::vector<std::string>& skip = {});

}  // namespace nc2zarr
