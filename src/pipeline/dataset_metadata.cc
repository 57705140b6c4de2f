#include "nc2zarr/pipeline/dataset_metadata.h"

#include <nlohmann/json.hpp>

#include "nc2zarr/pipeline/chunk_encoder.h"
#include "nc2zarr/zarr/array_metadata.h"
#include "nc2zarr/zarr/attributes.h"
#include "nc2zarr/zarr/keys.h"
#include "nc2zarr/zarr/python_json.h"

namespace nc2zarr {

std::vector<MetadataObject> DatasetMetadata(const Plan& plan) {
  nlohmann::json consolidated = nlohmann::json::object();
  std::vector<MetadataObject> objects;
  auto add = [&](const std::string& key, const nlohmann::json& value) {
    consolidated[key] = value;
    objects.push_back({key, DumpPythonJson(value)});
  };

  for (const auto& g : plan.groups) {
    add(MetadataKey(g.path, kZgroup), {{"zarr_format", 2}});
    add(MetadataKey(g.path, kZattrs), AttributesToJson(g.attributes));
  }
  for (const auto& v : plan.variables) {
    const FillValueMapping fill = MapFillValue(v.type, FindAttribute(v.attributes, "_FillValue"));
    ArrayMetadata array;
    array.shape = v.shape;
    array.chunks = v.chunks;
    array.dtype = ZarrDtype(v.type, v.string_length);
    array.fill_value = fill.fill_value;
    array.compressor = CompressorJson(plan.compressor);
    array.filters = FiltersJson(plan.compressor, v);
    add(MetadataKey(v.path(), kZarray), array.ToJson());

    // xarray's NetCDF reader moves least_significant_digit into the
    // encoding, so the inputs as xarray shows them do not have it.
    std::vector<std::string> skip = {"least_significant_digit"};
    if (!fill.keep_as_attribute) skip.push_back("_FillValue");
    nlohmann::json attributes = AttributesToJson(v.attributes, skip);
    attributes["_ARRAY_DIMENSIONS"] = v.dims;
    add(MetadataKey(v.path(), kZattrs), attributes);
  }
  nlohmann::json zmetadata = {{"metadata", consolidated}, {"zarr_consolidated_format", 1}};
  objects.push_back({kZmetadata, DumpPythonJson(zmetadata)});
  return objects;
}

}  // namespace nc2zarr
