#include "nc2zarr/pipeline/scan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "nc2zarr/base/fingerprint.h"
#include "nc2zarr/plan/combine.h"
#include "nc2zarr/plan/selection.h"
#include "nc2zarr/read/classic_layout.h"
#include "nc2zarr/read/netcdf_file.h"

namespace nc2zarr {
namespace {

// Bytes read at a time when fingerprinting a variable.
constexpr std::size_t kFingerprintSlabBytes = 16 << 20;

// Floats that compare equal fingerprint alike, as xarray compares them:
// -0.0 as 0.0, every NaN as one NaN.
template <typename T>
void CanonicalizeForComparison(std::vector<std::byte>& bytes) {
  const T canonical_nan = std::numeric_limits<T>::quiet_NaN();
  for (std::size_t at = 0; at + sizeof(T) <= bytes.size(); at += sizeof(T)) {
    T x;
    std::memcpy(&x, bytes.data() + at, sizeof(T));
    if (x == T(0)) x = T(0);
    if (std::isnan(x)) x = canonical_nan;
    std::memcpy(bytes.data() + at, &x, sizeof(T));
  }
}

// Reads the variable in slabs along its first axis, so memory stays bounded.
Result<std::uint64_t> FingerprintVariable(const NetcdfFile& file, const VariableSchema& v) {
  Fingerprint fp;
  const std::size_t rank = v.shape.size();
  std::vector<std::size_t> start(rank, 0), count = v.shape;
  std::size_t row_elements = 1;
  for (std::size_t a = 1; a < rank; ++a) row_elements *= v.shape[a];
  const std::size_t element = v.type == DataType::kString ? 64 : SizeOf(v.type);
  std::size_t rows_per_slab = rank == 0 ? 1 : std::max<std::size_t>(1, kFingerprintSlabBytes / std::max<std::size_t>(1, row_elements * element));
  const std::size_t rows = rank == 0 ? 1 : v.shape[0];
  std::vector<std::byte> buffer;
  std::vector<std::string> strings;
  for (std::size_t row = 0; row < rows; row += rows_per_slab) {
    if (rank > 0) {
      start[0] = row;
      count[0] = std::min(rows_per_slab, rows - row);
    }
    std::size_t n = rank == 0 ? 1 : count[0] * row_elements;
    if (n == 0) break;
    if (v.type == DataType::kString) {
      strings.clear();
      RETURN_IF_ERROR(file.ReadStrings(v.path(), start, count, strings));
      for (const auto& s : strings) {
        fp.Add(std::to_string(s.size()) + ":");
        fp.Add(s);
      }
    } else {
      buffer.resize(n * element);
      RETURN_IF_ERROR(file.ReadSlab(v.path(), v.type, start, count, buffer.data()));
      if (v.type == DataType::kFloat32) CanonicalizeForComparison<float>(buffer);
      if (v.type == DataType::kFloat64) CanonicalizeForComparison<double>(buffer);
      fp.Add(buffer);
    }
  }
  return fp.value();
}


// Variables this small, and without an unlimited dimension, are
// fingerprinted during the scan: they are the ones (lat, lon, bounds,
// masks) that must be identical in every file, and doing it now saves
// opening every file a second time.
constexpr std::size_t kEagerFingerprintBytes = 4 << 20;

bool UsesUnlimitedDimension(const FileSchema& schema, const VariableSchema& v) {
  for (const auto& d : v.dims) {
    const Dimension* dim = schema.FindDimension(d);
    if (dim != nullptr && dim->unlimited) return true;
  }
  return false;
}

}  // namespace

Result<ScannedFile> ScanFile(const std::string& path) {
  ASSIGN_OR_RETURN(NetcdfFile file, NetcdfFile::Open(path));
  ScannedFile scanned;
  FileScan& scan = scanned.scan;
  ASSIGN_OR_RETURN(scan.schema, file.ReadSchema());
  const std::string& format = scan.schema.format;
  if (format == "classic" || format == "64-bit offset" || format == "cdf5") {
    RETURN_IF_ERROR(CheckClassicFileComplete(path));
  }
  for (const auto& v : scan.schema.variables) {
    bool coordinate = v.dims.size() == 1 && v.dims[0] == v.name && v.unsupported.empty();
    if (!coordinate || !(IsInteger(v.type) || IsFloat(v.type))) continue;
    ASSIGN_OR_RETURN(scan.coordinates[v.path()], file.ReadDoubles(v.path(), v.shape[0]));
  }
  for (const auto& v : scan.schema.variables) {
    const std::size_t bytes = v.element_count() * std::max<std::size_t>(1, SizeOf(v.type));
    if (!v.unsupported.empty() || bytes > kEagerFingerprintBytes || UsesUnlimitedDimension(scan.schema, v)) continue;
    ASSIGN_OR_RETURN(scanned.fingerprints[v.path()], FingerprintVariable(file, v));
  }
  return scanned;
}

Result<Plan> PlanFromScans(std::vector<ScannedFile> files, const PlanRequest& request) {
  std::vector<FileScan> scans;
  std::vector<std::map<std::string, std::uint64_t>> fingerprints;
  scans.reserve(files.size());
  fingerprints.reserve(files.size());
  for (auto& f : files) {
    scans.push_back(std::move(f.scan));
    fingerprints.push_back(std::move(f.fingerprints));
  }
  // --variables names are checked against the first file; a dropped one
  // may be in later files only (the one file that has an extra variable).
  std::vector<std::string> selected, dropped, dropped_in_first;
  for (const auto& name : request.drop_variables) {
    auto holds = [&](const FileScan& scan) { return scan.schema.FindVariable(name) != nullptr; };
    if (holds(scans.front())) {
      dropped_in_first.push_back(name);
      dropped.push_back(scans.front().schema.FindVariable(name)->path());
    } else if (std::any_of(scans.begin(), scans.end(), holds)) {
      dropped.push_back(name);
    } else {
      dropped_in_first.push_back(name);  // unknown: SelectVariables says so
    }
  }
  ASSIGN_OR_RETURN(auto kept, SelectVariables(scans.front().schema, request.variables, dropped_in_first));
  if (!request.variables.empty()) selected = std::move(kept);
  ASSIGN_OR_RETURN(Layout layout, CombineFiles(scans, request.concat_dim, selected, dropped));

  if (!layout.must_match.empty()) {
    // The rest of what must match: big static fields, or variables along a
    // fixed dimension that turned out not to be the concat dimension.
    for (std::size_t i = 0; i < scans.size(); ++i) {
      std::optional<NetcdfFile> file;
      for (const auto& path : layout.must_match) {
        const VariableSchema* v = scans[i].schema.FindVariable(path);
        if (!v->unsupported.empty() || fingerprints[i].count(path)) continue;
        if (!file) {
          ASSIGN_OR_RETURN(NetcdfFile opened, NetcdfFile::Open(scans[i].schema.path));
          file.emplace(std::move(opened));
        }
        ASSIGN_OR_RETURN(fingerprints[i][path], FingerprintVariable(*file, *v));
      }
    }
    RETURN_IF_ERROR(CheckIdentical(layout, scans, fingerprints));
  }
  return MakePlan(scans, layout, request);
}

}  // namespace nc2zarr
