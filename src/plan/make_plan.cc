#include "nc2zarr/plan/make_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "nc2zarr/plan/packing.h"
#include "nc2zarr/plan/selection.h"
#include "nc2zarr/plan/string_dims.h"
#include "nc2zarr/plan/time_units.h"

namespace nc2zarr {
namespace {

// The longest string length the files give a text variable; files with a
// shorter one are noted, to be padded when read. files[k] is the scan
// layout.order[k].
std::size_t LongestString(const std::vector<FileScan>& scans, const Layout& layout, const std::string& path,
                          std::vector<InputFile>& files) {
  std::vector<std::size_t> lengths(files.size(), 0);
  for (std::size_t k = 0; k < files.size(); ++k) {
    const VariableSchema* v = scans[layout.order[k]].schema.FindVariable(path);
    if (v != nullptr && !v->shape.empty()) lengths[k] = v->shape.back();
  }
  const std::size_t longest = *std::max_element(lengths.begin(), lengths.end());
  for (std::size_t k = 0; k < files.size(); ++k) {
    if (lengths[k] < longest) files[k].string_lengths[path] = lengths[k];
  }
  return longest;
}

bool IsAncestorOrSelf(const std::string& group, const std::string& of) {
  return group.empty() || of == group || of.rfind(group + "/", 0) == 0;
}

std::string Rounded(double v, int digits = 3) {
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, v);
  return text;
}

// A value moved to the first file's units: exact in long double, and as
// stored (ShiftValues adds in double, then the variable's type rounds).
long double ExactShift(double x, double offset) { return static_cast<long double>(x) + offset; }
long double StoredShift(DataType type, double x, double offset) {
  const double sum = x + offset;
  return type == DataType::kFloat32 ? static_cast<long double>(static_cast<float>(sum)) : sum;
}

// Time values moved to the first file's units are rounded to the variable's
// float type again, as xarray's to_zarr rounds them: said when the concat
// coordinate moves by a microsecond or more (float32 always, float64 far from
// its reference date), with how far, so nobody finds it later in analysis.
std::vector<std::string> RoundingWarnings(const Plan& plan, const std::vector<FileScan>& scans, const Layout& layout) {
  std::vector<std::string> warnings;
  for (const auto& v : plan.variables) {
    if (v.type != DataType::kFloat32 && v.type != DataType::kFloat64) continue;
    auto units = TextAttribute(v.attributes, "units").value_or("");
    auto parsed = ParseTimeUnits(units, TextAttribute(v.attributes, "calendar").value_or(""));
    bool shifted = false;
    long double worst = 0;  // in the variable's units
    for (std::size_t i = 0; i < scans.size(); ++i) {
      auto offset = layout.value_offsets[i].find(v.path());
      if (offset == layout.value_offsets[i].end()) continue;
      shifted = true;
      auto values = scans[i].coordinates.find(v.path());
      if (values == scans[i].coordinates.end()) continue;
      for (double x : values->second) {
        worst = std::max(worst, std::fabs(StoredShift(v.type, x, offset->second) - ExactShift(x, offset->second)));
      }
    }
    if (!shifted) continue;
    const bool known = scans[layout.order.front()].coordinates.count(v.path()) > 0 && parsed.ok();
    const double worst_seconds = known ? static_cast<double>(worst) * parsed->seconds_per_unit : 0;
    if (known ? worst_seconds < 1e-6 : v.type == DataType::kFloat64) continue;
    const std::string type(NumpyTypeName(v.type));
    std::string how_far = known ? ", up to " + Rounded(worst_seconds) + " s off" : "";
    warnings.push_back("'" + v.path() + "' is " + type + ": the values of files counting from another reference "
                       "date are moved to '" + units + "' and rounded to " + type + how_far +
                       " (as xarray's to_zarr rounds them); give the files common time units to keep them exact");
  }
  return warnings;
}

// Integer time values moved to the first file's units must still fit their
// type (seconds since 2020 as seconds since 1950 leave int32): refused at
// the plan for the concat coordinate, whose values are known; the chunk
// reader checks every other value as it shifts it.
Status CheckShiftedIntegersFit(const Plan& plan, const std::vector<FileScan>& scans, const Layout& layout) {
  for (const auto& v : plan.variables) {
    if (!IsInteger(v.type)) continue;
    const auto [lowest, highest] = IntegerRange(v.type);
    const std::vector<double> missing = PackingOf(v.attributes).fills;  // stay as they are (ShiftValues skips them)
    for (std::size_t i = 0; i < scans.size(); ++i) {
      auto offset = layout.value_offsets[i].find(v.path());
      auto values = scans[i].coordinates.find(v.path());
      if (offset == layout.value_offsets[i].end() || values == scans[i].coordinates.end()) continue;
      for (double x : values->second) {
        if (std::find(missing.begin(), missing.end(), x) != missing.end()) continue;
        const long double y = ExactShift(x, offset->second);
        const bool lands_on_missing = std::find(missing.begin(), missing.end(), static_cast<double>(y)) != missing.end();
        if (y >= lowest && y <= highest && !lands_on_missing) continue;
        return InvalidInput("variable '" + v.path() + "' in " + scans[i].schema.path + ": its value " + Rounded(x, 15) +
                            " moved to the store's units '" + TextAttribute(v.attributes, "units").value_or("") +
                            "' is " + Rounded(static_cast<double>(y), 15) +
                            (lands_on_missing ? ", its _FillValue (it would read as missing)"
                                              : ", beyond the range of " + std::string(NumpyTypeName(v.type))) +
                            "; rewrite the files to common time units (e.g. with `cdo settunits` and `cdo setreftime`)");
      }
    }
  }
  return Status::Ok();
}

// The files pack v differently: it is stored as the widest type any file
// decodes to (as concatenating the decoded files promotes), with NaN for
// what a file masks, and without the packing attributes, which no longer
// describe the stored values.
void StoreUnpacked(PlannedVariable& v, const std::vector<InputFile>& files, std::vector<std::string>& warnings) {
  v.unpacked_from = v.type;
  DataType stored = DataType::kFloat32;
  for (const auto& f : files) {
    auto it = f.packings.find(v.path());
    DataType decoded = DecodedType(*v.unpacked_from, it == f.packings.end() ? Packing{} : it->second);
    // numpy: float32 with float32 or a small integer stays float32.
    bool fits_float32 = decoded == DataType::kFloat32 || (IsInteger(decoded) && SizeOf(decoded) <= 2);
    if (!fits_float32) stored = DataType::kFloat64;
  }
  v.type = stored;
  std::erase_if(v.attributes, [](const Attribute& a) {
    return std::find(std::begin(kPackingAttributes), std::end(kPackingAttributes), a.name) !=
           std::end(kPackingAttributes);
  });
  if (stored == DataType::kFloat32) {
    v.attributes.push_back(
        Attribute::Numeric("_FillValue", stored, std::vector<float>{std::numeric_limits<float>::quiet_NaN()}));
  } else {
    v.attributes.push_back(
        Attribute::Numeric("_FillValue", stored, std::vector<double>{std::numeric_limits<double>::quiet_NaN()}));
  }
  warnings.push_back("'" + v.path() + "' is packed or masked differently from file to file: stored unpacked as " +
                     std::string(TypeName(stored)) + " (NaN where a file masks a value), as open_mfdataset decodes it");
}

// open_mfdataset(drop_variables=...) shows no 'coordinates' naming a dropped
// variable: the store's attributes leave those names out too.
void ForgetDroppedCoordinates(PlannedVariable& v, const std::set<std::string>& dropped) {
  auto it = std::find_if(v.attributes.begin(), v.attributes.end(),
                         [](const Attribute& a) { return a.name == "coordinates"; });
  auto text = TextAttribute(v.attributes, "coordinates");
  if (it == v.attributes.end() || !text) return;
  std::istringstream words(*text);
  std::string kept;
  bool removed = false;
  for (std::string w; words >> w;) {
    if (dropped.count(v.group.empty() ? w : v.group + "/" + w)) {
      removed = true;
    } else {
      kept += (kept.empty() ? "" : " ") + w;
    }
  }
  if (!removed) return;
  if (kept.empty()) {
    v.attributes.erase(it);
  } else {
    *it = Attribute::Text("coordinates", kept);
  }
}

}  // namespace

Result<Plan> MakePlan(const std::vector<FileScan>& scans, const Layout& layout, const PlanRequest& request) {
  const FileSchema& first = scans[layout.order.front()].schema;
  Plan plan;
  plan.concat_dim = layout.concat_dim;
  plan.compressor = request.compressor;
  plan.target_chunk_mb = request.chunks.target_mb;

  std::size_t offset = 0;
  for (std::size_t i : layout.order) {
    const FileSchema& s = scans[i].schema;
    plan.files.push_back(
        InputFile{s.path, s.size_bytes, s.mtime_ns, offset, layout.concat_lengths[i], layout.value_offsets[i], {}, {}});
    for (const auto& path : layout.unpacked) {
      if (const VariableSchema* v = s.FindVariable(path)) plan.files.back().packings[path] = PackingOf(v->attributes);
    }
    offset += layout.concat_lengths[i];
  }
  const std::size_t concat_total = offset;

  // Dropped names this file does not hold were in other files only.
  std::vector<std::string> dropped_here;
  std::set<std::string> dropped;
  for (const auto& name : request.drop_variables) {
    if (const VariableSchema* v = first.FindVariable(name)) {
      dropped_here.push_back(name);
      dropped.insert(v->path());
    }
  }
  ASSIGN_OR_RETURN(std::vector<std::string> selected, SelectVariables(first, request.variables, dropped_here));
  std::vector<std::string> unpack_warnings;
  std::map<std::string, std::set<std::string>> string_dims;
  for (const auto& path : selected) {
    const VariableSchema& v = *first.FindVariable(path);
    if (!v.unsupported.empty()) {
      return InvalidInput("variable '" + path + "' in " + first.path + " cannot be converted: " + v.unsupported +
                          "; leave it out with --drop-variables " + path);
    }
    if (!string_dims.count(v.group)) string_dims[v.group] = StringDims(first, v.group);
    PlannedVariable p;
    p.group = v.group;
    p.name = v.name;
    p.type = v.type;
    p.dims = v.dims;
    p.shape = v.shape;
    p.attributes = v.attributes;
    p.input_chunks = v.storage_chunks;
    if (v.type == DataType::kChar && !v.dims.empty() && string_dims[v.group].count(v.dims.back())) {
      p.string_length = LongestString(scans, layout, path, plan.files);
      p.dims.pop_back();
      p.shape.pop_back();
      if (!p.input_chunks.empty()) p.input_chunks.pop_back();
    }
    if (std::find(p.dims.begin(), p.dims.end(), p.name) != p.dims.end() && p.dims.size() != 1) {
      // xarray takes a variable named like one of its dimensions for that
      // dimension's coordinate and cannot open a store where it is not.
      std::string dims;
      for (const auto& d : p.dims) dims += (dims.empty() ? "" : ", ") + d;
      return InvalidInput("variable '" + path + "' in " + first.path + " has dimensions (" + dims +
                          "), one of them its own name, which xarray cannot open; leave it out with --drop-variables " +
                          path + ", or rename it (e.g. `ncrename -v " + p.name + "," + p.name + "_values`)");
    }
    if (!dropped.empty()) ForgetDroppedCoordinates(p, dropped);
    if (layout.unpacked.count(path)) StoreUnpacked(p, plan.files, unpack_warnings);
    p.concat_axis = layout.concat_dim.empty() ? -1 : p.AxisOfDim(layout.concat_dim);
    if (p.concat_axis >= 0) p.shape[static_cast<std::size_t>(p.concat_axis)] = concat_total;
    plan.variables.push_back(std::move(p));
  }

  for (const auto& g : first.groups) {
    bool used = request.variables.empty();
    for (const auto& v : plan.variables) used = used || IsAncestorOrSelf(g.path, v.group);
    if (used) plan.groups.push_back(PlannedGroup{g.path, g.attributes});
  }

  RETURN_IF_ERROR(ChooseChunks(plan.variables, plan.concat_dim, request.chunks));
  plan.warnings = ChunkWarnings(plan);
  for (auto& w : unpack_warnings) plan.warnings.push_back(std::move(w));
  RETURN_IF_ERROR(CheckShiftedIntegersFit(plan, scans, layout));
  for (auto& w : RoundingWarnings(plan, scans, layout)) plan.warnings.push_back(std::move(w));
  return plan;
}

}  // namespace nc2zarr
