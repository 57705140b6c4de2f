#include "nc2zarr/plan/attribute_json.h"

#include "nc2zarr/base/base64.h"

namespace nc2zarr {
namespace {

using nlohmann::json;

// Numeric values travel as base64 of their raw bytes: JSON cannot carry NaN,
// and this keeps every bit.
json AttributeJson(const Attribute& a) {
  json j = {{"name", a.name}, {"type", TypeName(a.type)}};
  if (a.type == DataType::kChar || a.type == DataType::kString) {
    json strings = json::array();
    for (const auto& s : a.strings) strings.push_back(Base64Encode(std::as_bytes(std::span(s.data(), s.size()))));
    j["strings"] = strings;
  } else {
    j["bytes"] = Base64Encode(a.bytes);
  }
  return j;
}

Result<Attribute> AttributeFrom(const json& j) {
  Attribute a;
  a.name = j.at("name").get<std::string>();
  auto type = TypeFromName(j.at("type").get<std::string>());
  if (!type) return Internal("unknown attribute type in JSON");
  a.type = *type;
  if (j.contains("strings")) {
    for (const auto& s : j["strings"]) {
      auto bytes = Base64Decode(s.get<std::string>());
      if (!bytes) return Internal("bad attribute encoding in JSON");
      a.strings.emplace_back(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    }
  } else {
    auto bytes = Base64Decode(j.at("bytes").get<std::string>());
    if (!bytes) return Internal("bad attribute encoding in JSON");
    a.bytes = std::move(*bytes);
  }
  return a;
}

}  // namespace

json AttributesJson(const std::vector<Attribute>& attributes) {
  json list = json::array();
  for (const auto& a : attributes) list.push_back(AttributeJson(a));
  return list;
}

Result<std::vector<Attribute>> AttributesFrom(const json& list) {
  std::vector<Attribute> out;
  for (const auto& j : list) {
    ASSIGN_OR_RETURN(Attribute a, AttributeFrom(j));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace nc2zarr
