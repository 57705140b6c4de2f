#include "nc2zarr/pipeline/dataset_metadata.h"

#include <algorithm>

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
  // A group opens (without consolidated metadata) once its .zgroup exists:
  // each comes after everything inside it, the deepest first, the root's
  // last, so a crash part-way never leaves a group that opens incomplete.
  std::vector<const PlannedGroup*> groups;
  for (const auto& g : plan.groups) {
    add(MetadataKey(g.path, kZattrs), AttributesToJson(g.attributes));
    groups.push_back(&g);
  }
  auto depth = [](const PlannedGroup* g) {
    return g->path.empty() ? 0 : 1 + std::count(g->path.begin(), g->path.end(), '/');
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const PlannedGroup* a, const PlannedGroup* b) { return depth(a) > depth(b); });
  for (const PlannedGroup* g : groups) add(MetadataKey(g->path, kZgroup), {{"zarr_format", 2}});
  nlohmann::json zmetadata = {{"metadata", consolidated}, {"zarr_consolidated_format", 1}};
  objects.push_back({kZmetadata, DumpPythonJson(zmetadata)});
  return objects;
}

}  // namespace nc2zarr
