#include "nc2zarr/plan/plan_json.h"

#include <nlohmann/json.hpp>

#include "nc2zarr/plan/attribute_json.h"

namespace nc2zarr {

using nlohmann::json;

std::string PlanToJson(const Plan& plan) {
  json j;
  j["format"] = "nc2zarr-plan/1";
  j["concat_dim"] = plan.concat_dim;
  j["compressor"] = plan.compressor.ToString();
  j["target_chunk_mb"] = plan.target_chunk_mb;
  j["warnings"] = plan.warnings;
  json files = json::array();
  for (const auto& f : plan.files) {
    json file = {{"path", f.path},
                 {"size_bytes", f.size_bytes},
                 {"mtime_ns", f.mtime_ns},
                 {"concat_offset", f.concat_offset},
                 {"concat_length", f.concat_length}};
    if (!f.value_offsets.empty()) file["value_offsets"] = f.value_offsets;
    for (const auto& [path, p] : f.packings) {
      json packing = {{"fills", p.fills}};
      if (p.scale) packing["scale"] = *p.scale;
      if (p.offset) packing["offset"] = *p.offset;
      file["packings"][path] = std::move(packing);
    }
    if (!f.string_lengths.empty()) file["string_lengths"] = f.string_lengths;
    files.push_back(std::move(file));
  }
  j["files"] = files;
  json groups = json::array();
  for (const auto& g : plan.groups) groups.push_back({{"path", g.path}, {"attributes", AttributesJson(g.attributes)}});
  j["groups"] = groups;
  json variables = json::array();
  for (const auto& v : plan.variables) {
    variables.push_back({{"group", v.group},
                         {"name", v.name},
                         {"type", TypeName(v.type)},
                         {"dims", v.dims},
                         {"shape", v.shape},
                         {"chunks", v.chunks},
                         {"string_length", v.string_length},
                         {"concat_axis", v.concat_axis},
                         {"input_chunks", v.input_chunks},
                         {"attributes", AttributesJson(v.attributes)}});
    if (v.unpacked_from) variables.back()["unpacked_from"] = TypeName(*v.unpacked_from);
  }
  j["variables"] = variables;
  return j.dump();
}

Result<Plan> PlanFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "nc2zarr-plan/1") {
    return DataLoss("not an nc2zarr plan");
  }
  try {
    Plan plan;
    plan.concat_dim = j.at("concat_dim").get<std::string>();
    ASSIGN_OR_RETURN(plan.compressor, CompressorSpec::Parse(j.at("compressor").get<std::string>()));
    plan.target_chunk_mb = j.at("target_chunk_mb").get<double>();
    plan.warnings = j.at("warnings").get<std::vector<std::string>>();
    for (const auto& f : j.at("files")) {
      plan.files.push_back(InputFile{f.at("path").get<std::string>(), f.at("size_bytes").get<std::uint64_t>(),
                                     f.at("mtime_ns").get<std::int64_t>(), f.at("concat_offset").get<std::size_t>(),
                                     f.at("concat_length").get<std::size_t>(), {}, {}, {}});
      if (f.contains("value_offsets")) {
        plan.files.back().value_offsets = f.at("value_offsets").get<std::map<std::string, double>>();
      }
      const json packings = f.value("packings", json::object());
      for (const auto& [path, pj] : packings.items()) {
        Packing p;
        p.fills = pj.at("fills").get<std::vector<double>>();
        if (pj.contains("scale")) p.scale = pj.at("scale").get<double>();
        if (pj.contains("offset")) p.offset = pj.at("offset").get<double>();
        plan.files.back().packings[path] = std::move(p);
      }
      if (f.contains("string_lengths")) {
        plan.files.back().string_lengths = f.at("string_lengths").get<std::map<std::string, std::size_t>>();
      }
    }
    for (const auto& g : j.at("groups")) {
      PlannedGroup group;
      group.path = g.at("path").get<std::string>();
      ASSIGN_OR_RETURN(group.attributes, AttributesFrom(g.at("attributes")));
      plan.groups.push_back(std::move(group));
    }
    for (const auto& vj : j.at("variables")) {
      PlannedVariable v;
      v.group = vj.at("group").get<std::string>();
      v.name = vj.at("name").get<std::string>();
      auto type = TypeFromName(vj.at("type").get<std::string>());
      if (!type) return DataLoss("plan: unknown variable type");
      v.type = *type;
      v.dims = vj.at("dims").get<std::vector<std::string>>();
      v.shape = vj.at("shape").get<std::vector<std::size_t>>();
      v.chunks = vj.at("chunks").get<std::vector<std::size_t>>();
      v.string_length = vj.at("string_length").get<std::size_t>();
      v.concat_axis = vj.at("concat_axis").get<int>();
      v.input_chunks = vj.value("input_chunks", std::vector<std::size_t>{});
      ASSIGN_OR_RETURN(v.attributes, AttributesFrom(vj.at("attributes")));
      if (vj.contains("unpacked_from")) {
        auto from = TypeFromName(vj.at("unpacked_from").get<std::string>());
        if (!from) return DataLoss("plan: unknown variable type");
        v.unpacked_from = *from;
      }
      plan.variables.push_back(std::move(v));
    }
    return plan;
  } catch (const json::exception& e) {
    return DataLoss(std::string("malformed plan: ") + e.what());
  }
}

}  // namespace nc2zarr
