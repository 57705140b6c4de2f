#include "nc2zarr/plan/plan_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace nc2zarr {
namespace {

std::string Tuple(const std::vector<std::size_t>& v) {
  std::string out = "(";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + (v.size() == 1 ? ",)" : ")");
}

std::string Megabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", bytes / 1e6);  // decimal, as the convert summary
  return buf;
}

std::string DtypeText(const PlannedVariable& v) {
  if (v.type == DataType::kChar) return "S" + std::to_string(v.element_size());
  return std::string(TypeName(v.type));
}

}  // namespace

std::string DescribePlan(const Plan& plan, bool every_file) {
  std::ostringstream out;
  std::size_t concat_total = 0;
  for (const auto& f : plan.files) concat_total += f.concat_length;
  out << plan.files.size() << " input file(s)";
  if (!plan.concat_dim.empty()) out << " concatenated along '" << plan.concat_dim << "' (" << concat_total << " steps)";
  out << "\n\n";

  std::map<std::string, std::size_t> dims;
  for (const auto& v : plan.variables) {
    for (std::size_t a = 0; a < v.dims.size(); ++a) dims.emplace(v.dims[a], v.shape[a]);
  }
  out << "Dimensions:";
  for (const auto& [name, length] : dims) out << "  " << name << " = " << length;
  out << "\n\n";

  std::size_t width = 8;
  for (const auto& v : plan.variables) width = std::max(width, v.path().size());
  char line[512];
  std::uint64_t total_objects = 0;
  for (int section = 0; section < 2; ++section) {
    out << (section == 0 ? "Coordinates:\n" : "Data variables:\n");
    std::snprintf(line, sizeof line, "  %-*s  %-6s  %-20s  %-20s  %9s  %8s  %10s\n", static_cast<int>(width), "name",
                  "dtype", "shape", "chunks", "chunk MB", "objects", "raw MB");
    out << line;
    for (const auto& v : plan.variables) {
      if (plan.IsCoordinate(v) != (section == 0)) continue;
      double element = v.element_size() == 0 ? 64 : static_cast<double>(v.element_size());
      double chunk_bytes = element, raw = element;
      for (std::size_t c : v.chunks) chunk_bytes *= static_cast<double>(c);
      for (std::size_t s : v.shape) raw *= static_cast<double>(s);
      std::snprintf(line, sizeof line, "  %-*s  %-6s  %-20s  %-20s  %9s  %8zu  %10s\n", static_cast<int>(width),
                    v.path().c_str(), DtypeText(v).c_str(), Tuple(v.shape).c_str(), Tuple(v.chunks).c_str(),
                    Megabytes(chunk_bytes).c_str(), v.chunk_count(), Megabytes(raw).c_str());
      out << line;
      total_objects += v.chunk_count();
    }
    out << "\n";
  }
  std::size_t metadata_objects = 1 + 2 * (plan.groups.size() + plan.variables.size());
  out << "Objects: " << total_objects << " chunks + " << metadata_objects << " metadata;  raw "
      << Megabytes(static_cast<double>(plan.raw_bytes())) << " MB;  compressor " << plan.compressor.ToString()
      << ";  target chunk " << plan.target_chunk_mb << " MB\n";
  if (!plan.warnings.empty()) {
    out << "\nWarnings:\n";
    for (const auto& w : plan.warnings) out << "  - " << w << "\n";
  }
  out << "\nFiles, in concat order:\n";
  // The first and last few of thousands: the summary above stays on screen.
  constexpr std::size_t kEachEnd = 10;
  const std::size_t n = plan.files.size();
  const bool shorten = !every_file && n > 2 * kEachEnd + 1;
  for (std::size_t i = 0; i < n; ++i) {
    if (shorten && i == kEachEnd) {
      out << "  ... " << n - 2 * kEachEnd << " more (-v lists every file)\n";
      i = n - kEachEnd - 1;
      continue;
    }
    const InputFile& f = plan.files[i];
    out << "  " << f.path;
    if (!plan.concat_dim.empty()) out << "  [" << f.concat_offset << ", " << f.concat_offset + f.concat_length << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace nc2zarr
