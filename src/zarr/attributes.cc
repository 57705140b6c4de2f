#include "nc2zarr/zarr/attributes.h"

#include <algorithm>

#include "nc2zarr/zarr/python_json.h"

namespace nc2zarr {
namespace {

nlohmann::json NumberAt(const Attribute& a, std::size_t i) {
  if (IsFloat(a.type)) return a.DoubleAt(i);  // float32 widened exactly, as numpy's .item()
  if (a.type == DataType::kUInt64) return *a.UnsignedAt(i);
  return *a.SignedAt(i);
}

}  // namespace

nlohmann::json AttributeToJson(const Attribute& a) {
  if (a.type == DataType::kChar) {
    // netCDF4-python drops NUL characters and decodes UTF-8 with replacement.
    std::string text = a.strings.empty() ? std::string() : a.strings.front();
    text.erase(std::remove(text.begin(), text.end(), '\0'), text.end());
    return SanitizeUtf8(text);
  }
  if (a.type == DataType::kString) {
    if (a.strings.size() == 1) return SanitizeUtf8(a.strings.front());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : a.strings) list.push_back(SanitizeUtf8(s));
    return list;
  }
  std::size_t n = a.count();
  if (n == 1) return NumberAt(a, 0);
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) list.push_back(NumberAt(a, i));
  return list;
}

nlohmann::json AttributesToJson(const std::vector<Attribute>& attributes,
                                const std::vector<std::string>& skip) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& a : attributes) {
    if (std::find(skip.begin(), skip.end(), a.name) != skip.end()) continue;
    out[a.name] = AttributeToJson(a);
  }
  return out;
}

}  // namespace nc2zarr
