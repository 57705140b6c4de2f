#include "nc2zarr/plan/combine.h"

#include "nc2zarr/plan/packing.h"
#include "nc2zarr/plan/string_dims.h"
#include "nc2zarr/plan/time_units.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>

namespace nc2zarr {
namespace {

// The variables a user chose: those selected (all when none are), less
// those dropped.
struct Chosen {
  std::set<std::string> selected, dropped;
  bool operator()(const std::string& path) const {
    return (selected.empty() || selected.count(path) > 0) && dropped.count(path) == 0;
  }
};

std::string Join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string ShapeText(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + ")";
}

std::string DimsText(const std::vector<std::string>& dims) { return "(" + Join(dims) + ")"; }

std::string NumberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::set<std::string> UnlimitedDims(const FileSchema& schema) {
  std::set<std::string> names;
  for (const auto& g : schema.groups) {
    for (const auto& d : g.dimensions) {
      if (d.unlimited) names.insert(d.name);
    }
  }
  return names;
}

std::vector<std::string> AllDimNames(const FileSchema& schema) {
  std::vector<std::string> names;
  for (const auto& g : schema.groups) {
    for (const auto& d : g.dimensions) names.push_back(d.name);
  }
  return names;
}

bool SameValues(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The coordinate variable of a dimension: the 1-D variable named after it,
// preferring the root group.
bool IsDurationUnits(const std::string& units);

// Whether equal raw values mean the same under a's and b's units: both not
// time, or the same reference and unit ("2000-01-01" and "2000-01-01
// 00:00:00" are one instant).
bool SameTimeMeaning(const VariableSchema& a, const VariableSchema& b) {
  auto time_units = [](const VariableSchema& u) -> std::optional<std::pair<std::string, std::string>> {
    auto units = TextAttribute(u.attributes, "units");
    if (!units || (units->find(" since ") == std::string::npos && !IsDurationUnits(*units))) return std::nullopt;
    return std::make_pair(*units, TextAttribute(u.attributes, "calendar").value_or(""));
  };
  const auto ours = time_units(a), theirs = time_units(b);
  if (ours == theirs) return true;
  if (!ours || !theirs) return false;
  const auto x = ParseTimeUnits(ours->first, ours->second), y = ParseTimeUnits(theirs->first, theirs->second);
  if (!x.ok() || !y.ok()) return false;
  const auto offset = TimeOffset(*y, *x);
  return offset.ok() && *offset == 0;
}

// A coordinate holds the same values in both files: raw values alone miss
// files that each count time from their own start (hours 0..23 since the
// file's day), which open_mfdataset concatenates.
bool SameCoordinate(const FileScan& a, const FileScan& b, const std::string& path) {
  auto ours = a.coordinates.find(path), theirs = b.coordinates.find(path);
  if (ours == a.coordinates.end() || theirs == b.coordinates.end() || !SameValues(ours->second, theirs->second)) {
    return false;
  }
  const VariableSchema* x = a.schema.FindVariable(path);
  const VariableSchema* y = b.schema.FindVariable(path);
  return x == nullptr || y == nullptr || SameTimeMeaning(*x, *y);
}

const std::vector<double>* ConcatCoordinate(const FileScan& scan, const std::string& dim) {
  if (auto it = scan.coordinates.find(dim); it != scan.coordinates.end()) return &it->second.values();
  for (const auto& [path, values] : scan.coordinates) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && path.substr(slash + 1) == dim) return &values.values();
  }
  return nullptr;
}

Result<std::string> ChooseConcatDim(const std::vector<FileScan>& scans, const std::string& requested) {
  if (!requested.empty()) {
    for (const auto& s : scans) {
      if (s.schema.FindDimension(requested) == nullptr) {
        return UsageError("--concat-dim '" + requested + "' is not a dimension of " + s.schema.path +
                          " (its dimensions: " + Join(AllDimNames(s.schema)) + ")");
      }
    }
    return requested;
  }
  if (scans.size() == 1) return std::string();

  std::set<std::string> shared = UnlimitedDims(scans[0].schema);
  for (const auto& s : scans) {
    std::set<std::string> here = UnlimitedDims(s.schema), both;
    std::set_intersection(shared.begin(), shared.end(), here.begin(), here.end(), std::inserter(both, both.end()));
    shared = both;
  }
  if (shared.size() == 1) return *shared.begin();
  if (shared.size() > 1) {
    return UsageError("the files share several unlimited dimensions (" +
                      Join(std::vector<std::string>(shared.begin(), shared.end())) +
                      "); choose one with --concat-dim");
  }

  // No shared unlimited dimension: the one coordinate whose values differ.
  auto differs = [&](const std::string& path) {
    for (std::size_t i = 1; i < scans.size(); ++i) {
      if (!SameCoordinate(scans[0], scans[i], path)) return true;
    }
    return false;
  };
  std::vector<std::string> differing;
  for (const auto& coordinate : scans[0].coordinates) {
    const std::string& path = coordinate.first;
    if (path.find('/') == std::string::npos && differs(path)) differing.push_back(path);
  }
  if (differing.empty()) {
    // Only coordinates in groups differ (Sentinel-6: data_01/time): by the
    // name of their dimension, which may be declared in several groups.
    std::set<std::string> names;
    for (const auto& coordinate : scans[0].coordinates) {
      const std::string& path = coordinate.first;
      auto slash = path.rfind('/');
      if (slash != std::string::npos && differs(path)) names.insert(path.substr(slash + 1));
    }
    differing.assign(names.begin(), names.end());
  }
  if (differing.size() == 1) return differing.front();
  if (differing.empty()) {
    return UsageError("cannot tell which dimension to concatenate along: the files share no unlimited "
                      "dimension and no coordinate differs between them; name it with --concat-dim");
  }
  return UsageError("cannot tell which dimension to concatenate along: coordinates " + Join(differing) +
                    " all differ between files; name one with --concat-dim");
}

// Two values of an encoding attribute agree when both are absent, or equal
// by value (a float missing_value of 1e20 in one file matches a double one).
bool SameEncoding(const Attribute* a, const Attribute* b) {
  if (a == nullptr || b == nullptr) return a == b;
  bool a_text = a->type == DataType::kChar || a->type == DataType::kString;
  bool b_text = b->type == DataType::kChar || b->type == DataType::kString;
  if (a_text || b_text) return a_text && b_text && a->strings == b->strings;
  if (a->count() != b->count()) return false;
  for (std::size_t i = 0; i < a->count(); ++i) {
    double x = a->DoubleAt(i), y = b->DoubleAt(i);
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

std::string EncodingValue(const Attribute* a) {
  if (a->type == DataType::kChar || a->type == DataType::kString) return "'" + Join(a->strings) + "'";
  std::vector<std::string> values;
  for (std::size_t i = 0; i < a->count(); ++i) values.push_back(NumberText(a->DoubleAt(i)));
  return Join(values, " ");
}

// "scale_factor 0.01", or "no scale_factor".
std::string EncodingText(const std::string& name, const Attribute* a) {
  if (a == nullptr) return "no " + name;
  return name + " " + EncodingValue(a);
}

// A variable the files pack or mask differently cannot keep its stored
// values: it is stored unpacked (each file's values decoded, as xarray
// decodes them) when it is a number concatenated along the files. Anything
// else would decode wrongly, so it is refused.
Status CheckSameEncoding(const VariableSchema& v, const VariableSchema& o, const std::string& ref_path,
                         const std::string& other_path, const std::string& concat_dim,
                         std::set<std::string>& unpacked) {
  // Packings compare as xarray decodes them: a NaN missing_value masks nothing.
  const bool packing_differs = !(PackingOf(v.attributes) == PackingOf(o.attributes));
  const Attribute* unsigned_v = FindAttribute(v.attributes, "_Unsigned");
  const Attribute* unsigned_o = FindAttribute(o.attributes, "_Unsigned");
  if (!packing_differs && SameEncoding(unsigned_v, unsigned_o)) return Status::Ok();
  const bool numeric = IsInteger(v.type) || IsFloat(v.type);
  if (packing_differs && numeric && !unsigned_v && !unsigned_o && v.AxisOf(concat_dim) >= 0) {
    unpacked.insert(v.path());
    return Status::Ok();
  }
  // Refused: name the first attribute that makes the difference.
  std::vector<const char*> names = {"_Unsigned"};
  if (packing_differs) names.insert(names.begin(), std::begin(kPackingAttributes), std::end(kPackingAttributes));
  for (const char* name : names) {
    const Attribute* a = FindAttribute(v.attributes, name);
    const Attribute* b = FindAttribute(o.attributes, name);
    if (SameEncoding(a, b)) continue;
    return InvalidInput("variable '" + v.path() + "' has " + EncodingText(name, a) + " in " + ref_path + " but " +
                        EncodingText(name, b) + " in " + other_path +
                        "; nc2zarr stores such a variable unpacked only when it is a number without _Unsigned along "
                        "the concat dimension: rewrite the files to one encoding (e.g. unpack them with `ncpdq -U`), "
                        "or leave it out with --drop-variables " + v.path());
  }
  return Status::Ok();
}

// Every file must have the same variables, with the same types, dimensions,
// shapes (except for the length of the concat dimension) and encodings.
Status CheckSameStructure(const std::vector<FileScan>& scans, const std::string& concat_dim,
                          const Chosen& chosen, std::set<std::string>& unpacked) {
  const FileSchema& ref = scans[0].schema;
  std::map<std::string, std::set<std::string>> string_dims;  // by group
  for (std::size_t i = 1; i < scans.size(); ++i) {
    const FileSchema& other = scans[i].schema;
    for (const auto& v : ref.variables) {
      if (!chosen(v.path())) continue;
      const VariableSchema* o = other.FindVariable(v.path());
      if (o == nullptr) {
        return InvalidInput("variable '" + v.path() + "' is in " + ref.path + " but missing from " + other.path +
                            "; every file must hold the same variables (select some with --variables)");
      }
      if (o->type != v.type) {
        return InvalidInput("variable '" + v.path() + "' is " + std::string(TypeName(v.type)) + " in " + ref.path +
                            " but " + std::string(TypeName(o->type)) + " in " + other.path +
                            "; convert the files to one type first (e.g. `cdo -b F32 copy`), or leave it out with "
                            "--drop-variables " + v.path());
      }
      if (o->dims != v.dims) {
        return InvalidInput("variable '" + v.path() + "' has dimensions " + DimsText(v.dims) + " in " + ref.path +
                            " but " + DimsText(o->dims) + " in " + other.path + "; leave it out with --drop-variables " +
                            v.path() + ", or rewrite the files to one layout (e.g. `ncpdq -a`)");
      }
      if (!string_dims.count(v.group)) string_dims[v.group] = StringDims(ref, v.group);
      // Text concatenated along the files may be longer in some: it is
      // padded, as xarray does.
      const bool padded_text = v.type == DataType::kChar && v.AxisOf(concat_dim) >= 0 && !v.dims.empty() &&
                               string_dims[v.group].count(v.dims.back()) > 0;
      for (std::size_t a = 0; a < v.shape.size(); ++a) {
        if (padded_text && a + 1 == v.shape.size()) continue;
        if (v.dims[a] != concat_dim && v.shape[a] != o->shape[a]) {
          return InvalidInput("variable '" + v.path() + "' has shape " + ShapeText(v.shape) + " in " + ref.path +
                              " but " + ShapeText(o->shape) + " in " + other.path + "; only the concat dimension" +
                              (concat_dim.empty() ? "" : " '" + concat_dim + "'") +
                              " may differ (leave it out with --drop-variables " + v.path() + ")");
        }
      }
      RETURN_IF_ERROR(CheckSameEncoding(v, *o, ref.path, other.path, concat_dim, unpacked));
    }
    for (const auto& o : other.variables) {
      if (chosen(o.path()) && ref.FindVariable(o.path()) == nullptr) {
        return InvalidInput("variable '" + o.path() + "' is in " + other.path + " but missing from " + ref.path +
                            "; every file must hold the same variables (select some with --variables)");
      }
    }
  }
  return Status::Ok();
}

// The time units a concatenated variable's values are in: its own, or for
// bounds (which CF lets inherit them) those of the variable that names it.
// Bounds with units of their own but no calendar take their parent's
// calendar, as xarray decodes them (setdefault of both).
std::optional<std::pair<std::string, std::string>> TimeUnitsOf(const FileSchema& schema, const VariableSchema& v) {
  auto date_units = [](const VariableSchema& u) -> std::optional<std::string> {
    auto units = TextAttribute(u.attributes, "units");
    if (!units || units->find(" since ") == std::string::npos) return std::nullopt;
    return units;
  };
  const VariableSchema* parent = nullptr;
  for (const auto& u : schema.variables) {
    if (u.group != v.group || !date_units(u)) continue;
    for (const char* attr : {"bounds", "climatology"}) {
      if (TextAttribute(u.attributes, attr) == v.name) parent = &u;
    }
  }
  if (TextAttribute(v.attributes, "units")) {
    auto units = date_units(v);
    if (!units) return std::nullopt;
    auto calendar = TextAttribute(v.attributes, "calendar");
    if (!calendar && parent) calendar = TextAttribute(parent->attributes, "calendar");
    return std::make_pair(*units, calendar.value_or(""));
  }
  if (!parent) return std::nullopt;
  return std::make_pair(*date_units(*parent), TextAttribute(parent->attributes, "calendar").value_or(""));
}

// xarray decodes a variable whose units are exactly one of these as
// durations, each file in its own unit (xarray's TIME_UNITS).
bool IsDurationUnits(const std::string& units) {
  static const std::set<std::string> kDurationUnits = {"days",         "hours",        "minutes",    "seconds",
                                                       "milliseconds", "microseconds", "nanoseconds"};
  return kDurationUnits.count(units) > 0;
}

// A lead time in hours in one file and days in the next is concatenated
// decoded by xarray, so raw values joined under the first file's unit
// would be wrong.
Status CheckSameDurationUnits(const std::vector<FileScan>& scans, const VariableSchema& v) {
  const auto mine = TextAttribute(v.attributes, "units");
  for (std::size_t i = 1; i < scans.size(); ++i) {
    const VariableSchema* o = scans[i].schema.FindVariable(v.path());
    const auto theirs = TextAttribute(o->attributes, "units");
    if (theirs == mine) continue;
    if ((mine && IsDurationUnits(*mine)) || (theirs && IsDurationUnits(*theirs))) {
      return InvalidInput("variable '" + v.path() + "' has units '" + mine.value_or("") + "' in " +
                          scans[0].schema.path + " but '" + theirs.value_or("") + "' in " + scans[i].schema.path +
                          ": xarray reads these as durations, each file in its own unit, which nc2zarr does not "
                          "convert; rewrite the files to one unit");
    }
  }
  return Status::Ok();
}

// A variable that is not concatenated must decode the same in every file:
// equal raw values under other time or duration units (a forecast's scalar
// reftime, 0 hours since each file's own run) are different values, which
// open_mfdataset refuses to merge.
Status CheckSameTimeUnits(const std::vector<FileScan>& scans, const VariableSchema& v) {
  for (std::size_t i = 1; i < scans.size(); ++i) {
    const VariableSchema* o = scans[i].schema.FindVariable(v.path());
    if (SameTimeMeaning(v, *o)) continue;
    auto describe = [](const VariableSchema& u) {
      auto calendar = TextAttribute(u.attributes, "calendar");
      return "'" + TextAttribute(u.attributes, "units").value_or("") + "'" + (calendar ? " (" + *calendar + ")" : "");
    };
    return InvalidInput("variable '" + v.path() + "' has units " + describe(v) + " in " + scans[0].schema.path +
                        " but " + describe(*o) + " in " + scans[i].schema.path +
                        ": it is not concatenated, so it must mean the same time in every file (open_mfdataset "
                        "refuses it too); leave it out with --drop-variables " + v.path());
  }
  return Status::Ok();
}

// Files that count time from different reference dates (in one calendar, in
// units of fixed length) are concatenated in the first file's units, as
// xarray decodes them; anything else would shift values silently, so it is
// refused. Offsets are relative to scans[0].
Result<std::vector<std::map<std::string, double>>> TimeOffsets(const std::vector<FileScan>& scans,
                                                                const std::string& concat_dim,
                                                                const Chosen& chosen) {
  std::vector<std::map<std::string, double>> offsets(scans.size());
  const FileSchema& ref = scans[0].schema;
  for (const auto& v : ref.variables) {
    if (v.AxisOf(concat_dim) < 0 || !chosen(v.path())) continue;
    RETURN_IF_ERROR(CheckSameDurationUnits(scans, v));
    auto mine = TimeUnitsOf(ref, v);
    if (!mine) continue;
    const auto to = ParseTimeUnits(mine->first, mine->second);
    for (std::size_t i = 1; i < scans.size(); ++i) {
      const VariableSchema* o = scans[i].schema.FindVariable(v.path());
      auto theirs = TimeUnitsOf(scans[i].schema, *o);
      if (theirs == mine) continue;
      auto describe = [](const VariableSchema& u, const std::optional<std::pair<std::string, std::string>>& t) {
        if (!t) return "'" + TextAttribute(u.attributes, "units").value_or("") + "'";
        return "'" + t->first + "'" + (t->second.empty() ? "" : " (calendar " + t->second + ")");
      };
      auto refuse = [&](const std::string& why, const std::string& fix = "common time units (e.g. with `cdo "
                                                                          "settunits` and `cdo setreftime`)") {
        return InvalidInput("variable '" + v.path() + "' has units " + describe(v, mine) + " in " + ref.path +
                            " but " + describe(*o, theirs) + " in " + scans[i].schema.path + ": " + why +
                            "; rewrite the files to " + fix);
      };
      if (!theirs) return refuse("the latter are not time units");
      if (!IsInteger(v.type) && !IsFloat(v.type)) return refuse("only numeric time values can be converted");
      if (FindAttribute(v.attributes, "scale_factor") || FindAttribute(v.attributes, "add_offset")) {
        return refuse("packed time values cannot be converted");
      }
      auto from = ParseTimeUnits(theirs->first, theirs->second);
      if (!from.ok()) return refuse(from.status().message());
      if (!to.ok()) return refuse(to.status().message());
      auto offset = TimeOffset(*from, *to);
      if (!offset.ok() && from->calendar != to->calendar) {
        return refuse(offset.status().message(), "one calendar (e.g. with `cdo setcalendar`)");
      }
      if (!offset.ok()) return refuse(offset.status().message());
      if (IsInteger(v.type) && std::fabs(*offset - std::round(*offset)) > 1e-9) {
        return refuse("the difference is not a whole number of units, which an integer variable cannot hold");
      }
      offsets[i][v.path()] = *offset;
    }
  }
  return offsets;
}

// The path of a dimension's coordinate variable (see ConcatCoordinate).
std::string ConcatCoordinatePath(const FileScan& scan, const std::string& dim) {
  if (scan.coordinates.count(dim)) return dim;
  for (const auto& [path, values] : scan.coordinates) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && path.substr(slash + 1) == dim) return path;
  }
  return "";
}

// Every file is one slice of the concat dimension: its length is that of the
// (selected) variables along it, which must agree. A file declaring the
// dimension's name again in another group, with another length, is not one
// slice: refused, as concatenating it as one would drop or misplace records.
Result<std::size_t> ConcatLength(const FileSchema& schema, const std::string& concat_dim,
                                 const Chosen& chosen) {
  if (concat_dim.empty()) return std::size_t{0};
  const VariableSchema* first = nullptr;
  std::size_t length = 0;
  for (const auto& v : schema.variables) {
    int axis = v.AxisOf(concat_dim);
    if (axis < 0 || !chosen(v.path())) continue;
    std::size_t here = v.shape[static_cast<std::size_t>(axis)];
    if (first == nullptr) {
      first = &v;
      length = here;
    } else if (here != length) {
      return InvalidInput("variables '" + first->path() + "' and '" + v.path() + "' have " + std::to_string(length) +
                          " and " + std::to_string(here) + " steps along '" + concat_dim + "' in " + schema.path +
                          ": the file declares '" + concat_dim +
                          "' in several groups with different lengths; convert one group at a time "
                          "(--variables GROUP/NAME,...)");
    }
  }
  if (first != nullptr) return length;
  const Dimension* d = schema.FindDimension(concat_dim);
  return d ? d->length : std::size_t{0};
}

bool Strictly(const std::vector<double>& values, bool increasing) {
  for (std::size_t k = 1; k < values.size(); ++k) {
    if (!(increasing ? values[k] > values[k - 1] : values[k] < values[k - 1])) return false;
  }
  return true;
}

Status CheckIncreasing(const std::string& dim, const std::string& path, const std::vector<double>& values) {
  for (std::size_t k = 1; k < values.size(); ++k) {
    if (!(values[k] > values[k - 1])) {
      const std::string way_out =
          values[k] == values[k - 1]
              ? "remove the repeated step first, e.g. with `cdo delete,timestep=" + std::to_string(k + 1) + "` for time"
          : Strictly(values, false) ? "reverse the decreasing ones first, e.g. with `ncpdq -a -" + dim + "`"
                                    : "sort them first, e.g. with `cdo sorttimestamp` for time";
      return InvalidInput("the '" + dim + "' values in " + path + " are not increasing (" + NumberText(values[k - 1]) +
                          " then " + NumberText(values[k]) + " at index " + std::to_string(k) +
                          "); the concat coordinate must increase strictly in every file, or decrease in every file (" +
                          way_out + ")");
    }
  }
  return Status::Ok();
}

// xarray's combine_by_coords orders files along a coordinate that decreases
// in every file (latitudes from north to south) from the highest down; one
// that increases in every file (a file of one value does both) from the
// lowest up.
bool DecreasesInEveryFile(const std::vector<std::vector<double>>& coords) {
  bool all_decrease = true, all_increase = true;
  for (const auto& values : coords) {
    all_decrease = all_decrease && Strictly(values, false);
    all_increase = all_increase && Strictly(values, true);
  }
  return all_decrease && !all_increase;
}

}  // namespace

Result<Layout> CombineFiles(const std::vector<FileScan>& scans, const std::string& requested_concat_dim,
                            const std::vector<std::string>& selected_paths,
                            const std::vector<std::string>& dropped_paths) {
  if (scans.empty()) return UsageError("no input files");
  const Chosen chosen{{selected_paths.begin(), selected_paths.end()}, {dropped_paths.begin(), dropped_paths.end()}};
  Layout layout;
  ASSIGN_OR_RETURN(layout.concat_dim, ChooseConcatDim(scans, requested_concat_dim));
  if (!layout.concat_dim.empty()) {
    const std::string coordinate = ConcatCoordinatePath(scans[0], layout.concat_dim);
    if (!coordinate.empty() && chosen.dropped.count(coordinate)) {
      // Its values order the files and convert their time units.
      return UsageError("--drop-variables names '" + coordinate + "', the coordinate of the concat dimension '" +
                        layout.concat_dim + "', which orders the files: keep it");
    }
  }
  RETURN_IF_ERROR(CheckSameStructure(scans, layout.concat_dim, chosen, layout.unpacked));

  for (const auto& s : scans) {
    ASSIGN_OR_RETURN(std::size_t length, ConcatLength(s.schema, layout.concat_dim, chosen));
    layout.concat_lengths.push_back(length);
  }

  layout.order.resize(scans.size());
  std::iota(layout.order.begin(), layout.order.end(), 0);
  layout.value_offsets.resize(scans.size());
  if (!layout.concat_dim.empty()) {
    ASSIGN_OR_RETURN(layout.value_offsets, TimeOffsets(scans, layout.concat_dim, chosen));
  }
  for (const auto& offsets : layout.value_offsets) {
    for (const auto& [path, offset] : offsets) {
      if (layout.unpacked.count(path)) {
        return InvalidInput("variable '" + path + "' is packed or masked differently from file to file and counts "
                            "time from another reference date in " +
                            scans[static_cast<std::size_t>(&offsets - layout.value_offsets.data())].schema.path +
                            "; rewrite the files to common time units and one encoding first");
      }
    }
  }
  if (!layout.concat_dim.empty() && ConcatCoordinate(scans[0], layout.concat_dim) != nullptr) {
    // The concat coordinate of every file, in the first file's units.
    const std::string coordinate = ConcatCoordinatePath(scans[0], layout.concat_dim);
    std::vector<std::vector<double>> coords;
    std::vector<const std::vector<double>*> as_stored;  // for messages
    for (std::size_t i = 0; i < scans.size(); ++i) {
      const auto* c = ConcatCoordinate(scans[i], layout.concat_dim);
      as_stored.push_back(c);
      if (c == nullptr) {
        return InvalidInput("coordinate '" + layout.concat_dim + "' is missing from " + scans[i].schema.path);
      }
      std::vector<double> values = *c;
      auto offset = layout.value_offsets[i].find(coordinate);
      if (offset != layout.value_offsets[i].end()) {
        for (double& x : values) x += offset->second;
      }
      coords.push_back(std::move(values));
    }
    const bool descending = DecreasesInEveryFile(coords);
    if (!descending) {
      for (std::size_t i = 0; i < scans.size(); ++i) {
        RETURN_IF_ERROR(CheckIncreasing(layout.concat_dim, scans[i].schema.path, *as_stored[i]));
      }
    }
    // Files without records sort last; the rest by their first value.
    std::stable_sort(layout.order.begin(), layout.order.end(), [&](std::size_t a, std::size_t b) {
      if (coords[a].empty() || coords[b].empty()) return !coords[a].empty() && coords[b].empty();
      return descending ? coords[a].front() > coords[b].front() : coords[a].front() < coords[b].front();
    });
    const std::vector<double>* previous = nullptr;
    std::size_t previous_index = 0;
    for (std::size_t i : layout.order) {
      if (coords[i].empty()) continue;
      if (previous != nullptr &&
          !(descending ? coords[i].front() < previous->back() : coords[i].front() > previous->back())) {
        // The same values in both: more likely ensemble members or levels
        // split into files than a duplicate.
        const std::string way_out =
            coords[i] == *previous
                ? "the files hold the same '" + layout.concat_dim + "' values: if they differ along another "
                  "dimension (ensemble members, levels), name it with --concat-dim; otherwise remove one"
                : "remove one of the files, or trim the overlap";
        return InvalidInput("the '" + layout.concat_dim + "' values of " + scans[previous_index].schema.path +
                            " (ending at " + NumberText(previous->back()) + ") and " + scans[i].schema.path +
                            " (starting at " + NumberText(coords[i].front()) + ") overlap; " + way_out);
      }
      previous = &coords[i];
      previous_index = i;
    }
  }
  // Offsets relative to the first file in concat order, whose units the
  // store keeps (its attributes are the store's).
  const auto first = layout.value_offsets[layout.order.front()];
  for (auto& per_file : layout.value_offsets) {
    for (const auto& [path, base] : first) per_file[path] -= base;
    for (auto it = per_file.begin(); it != per_file.end();) {
      it = it->second == 0 ? per_file.erase(it) : std::next(it);
    }
  }

  if (scans.size() > 1) {
    for (const auto& v : scans[0].schema.variables) {
      if (!chosen(v.path())) continue;
      if (layout.concat_dim.empty() || v.AxisOf(layout.concat_dim) < 0) {
        RETURN_IF_ERROR(CheckSameTimeUnits(scans, v));
        layout.must_match.push_back(v.path());
      }
    }
  }
  return layout;
}

Status CheckIdentical(const Layout& layout, const std::vector<FileScan>& scans,
                      const std::vector<std::map<std::string, std::uint64_t>>& fingerprints) {
  if (layout.order.empty()) return Status::Ok();
  std::size_t first = layout.order.front();
  for (const auto& path : layout.must_match) {
    auto expected = fingerprints[first].find(path);
    if (expected == fingerprints[first].end()) continue;
    for (std::size_t i : layout.order) {
      auto it = fingerprints[i].find(path);
      if (it == fingerprints[i].end() || it->second != expected->second) {
        std::string what = layout.concat_dim.empty() ? "" : " (it has no '" + layout.concat_dim + "' dimension)";
        return InvalidInput("variable '" + path + "'" + what + " differs between " + scans[first].schema.path +
                            " and " + scans[i].schema.path +
                            "; variables that are not concatenated must be identical in every file "
                            "(leave it out with --drop-variables " + path + ", or fix the files)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace nc2zarr
