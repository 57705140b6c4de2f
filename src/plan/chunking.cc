#include "nc2zarr/plan/chunking.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace nc2zarr {
namespace {

// Variable-length strings have no fixed size; this is a guess for sizing.
constexpr std::size_t kNominalStringBytes = 64;

bool IsDimensionCoordinate(const PlannedVariable& v) { return v.dims.size() == 1 && v.dims[0] == v.name; }

std::size_t ElementBytes(const PlannedVariable& v) {
  std::size_t s = v.element_size();
  return s == 0 ? kNominalStringBytes : s;
}

double Bytes(const PlannedVariable& v, const std::vector<std::size_t>& shape) {
  double n = static_cast<double>(ElementBytes(v));
  for (std::size_t s : shape) n *= static_cast<double>(s);
  return n;
}

}  // namespace

Status ChooseChunks(std::vector<PlannedVariable>& variables, const std::string& concat_dim,
                    const ChunkRequest& request) {
  const double target = request.target_mb * 1024 * 1024;
  if (!(request.target_mb > 0)) return UsageError("--target-chunk-mb must be positive");

  std::set<std::string> known_dims;
  for (const auto& v : variables) known_dims.insert(v.dims.begin(), v.dims.end());
  std::map<std::string, long long> fixed;
  for (const auto& [dim, n] : request.sizes) {
    if (!known_dims.count(dim)) {
      std::string names;
      for (const auto& d : known_dims) names += (names.empty() ? "" : ", ") + d;
      return UsageError("--chunks names '" + dim + "', which is not a dimension of the dataset (dimensions: " +
                        names + ")");
    }
    if (n == 0 || n < -1) {
      return UsageError("--chunks " + dim + "=" + std::to_string(n) + ": use a positive size or -1 for the whole dimension");
    }
    fixed[dim] = n;
  }

  std::vector<std::size_t> order(variables.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return Bytes(variables[a], variables[a].shape) > Bytes(variables[b], variables[b].shape); });

  std::map<std::string, std::size_t> decided;
  for (std::size_t index : order) {
    PlannedVariable& v = variables[index];
    const std::size_t rank = v.shape.size();
    v.chunks.assign(rank, 1);
    if (IsDimensionCoordinate(v)) {
      std::size_t fit = static_cast<std::size_t>(std::max(1.0, std::floor(target / static_cast<double>(ElementBytes(v)))));
      v.chunks[0] = std::max<std::size_t>(1, std::min(v.shape[0], fit));
      continue;
    }
    std::vector<std::size_t> open;  // axes whose size this variable decides
    for (std::size_t a = 0; a < rank; ++a) {
      const std::string& d = v.dims[a];
      std::size_t len = std::max<std::size_t>(1, v.shape[a]);
      if (auto f = fixed.find(d); f != fixed.end()) {
        v.chunks[a] = f->second == -1 ? len : std::min<std::size_t>(len, static_cast<std::size_t>(f->second));
      } else if (auto c = decided.find(d); c != decided.end()) {
        v.chunks[a] = std::min(len, c->second);
      } else {
        v.chunks[a] = len;
        open.push_back(a);
      }
    }
    for (std::size_t a : open) {
      if (v.dims[a] != concat_dim || Bytes(v, v.chunks) <= target) continue;
      double per_step = Bytes(v, v.chunks) / static_cast<double>(v.chunks[a]);
      v.chunks[a] = static_cast<std::size_t>(std::max(1.0, std::floor(target / per_step)));
    }
    while (Bytes(v, v.chunks) > target) {
      std::size_t best = rank;
      for (std::size_t a : open) {
        if (v.chunks[a] > 1 && (best == rank || v.chunks[a] > v.chunks[best])) best = a;
      }
      if (best == rank) break;
      v.chunks[best] = (v.chunks[best] + 1) / 2;
    }
    for (std::size_t a : open) decided[v.dims[a]] = v.chunks[a];
  }
  return Status::Ok();
}

namespace {

// Variables that draw the same warning share one line: the 250 variables of
// a WRF run would otherwise print 250 alike.
class WarningLines {
 public:
  void Add(const std::string& before, const std::string& path, const std::string& after) {
    auto [it, added] = index_.try_emplace(before + '\0' + after, groups_.size());
    if (added) groups_.push_back({before, after, {}});
    groups_[it->second].paths.push_back(path);
  }

  std::vector<std::string> Lines() const {
    constexpr std::size_t kNamed = 3;
    std::vector<std::string> lines;
    for (const auto& g : groups_) {
      std::string names;
      const std::size_t shown = g.paths.size() > kNamed ? kNamed - 1 : g.paths.size();
      for (std::size_t i = 0; i < shown; ++i) {
        names += (i == 0 ? "" : i + 1 == g.paths.size() ? " and " : ", ") + ("'" + g.paths[i] + "'");
      }
      if (shown < g.paths.size()) names += " and " + std::to_string(g.paths.size() - shown) + " more variables";
      lines.push_back(g.before + names + g.after);
    }
    return lines;
  }

 private:
  struct Group {
    std::string before, after;
    std::vector<std::string> paths;
  };
  std::vector<Group> groups_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace

std::vector<std::string> ChunkWarnings(const Plan& plan) {
  WarningLines warnings;
  const double target = plan.target_chunk_mb * 1024 * 1024;
  std::size_t total_concat = 0;
  std::size_t longest_file = 0;
  for (const auto& f : plan.files) {
    total_concat += f.concat_length;
    longest_file = std::max(longest_file, f.concat_length);
  }
  const double mean_file_length =
      plan.files.empty() ? 0 : static_cast<double>(total_concat) / static_cast<double>(plan.files.size());
  auto mb = [](double b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g MB", b / (1024 * 1024));
    return std::string(buf);
  };
  for (const auto& v : plan.variables) {
    if (IsDimensionCoordinate(v) || v.shape.empty()) continue;
    double whole = Bytes(v, v.shape), chunk = Bytes(v, v.chunks);
    if (chunk > 2 * target) {
      warnings.Add("chunks of ", v.path(),
                   " are " + mb(chunk) + ", more than twice the target " + mb(target) +
                       "; each rank holds a few chunks in memory");
    } else if (whole >= target && chunk < target / 4) {
      warnings.Add("chunks of ", v.path(),
                   " are " + mb(chunk) + ", far below the target " + mb(target) +
                       "; small chunks mean many objects and slow reads");
    }
    // Zarr chunks that cut through the inputs' HDF5 chunks make each of
    // those be read and inflated several times.
    if (v.input_chunks.size() == v.chunks.size()) {
      std::size_t times = 1;
      for (std::size_t a = 0; a < v.chunks.size(); ++a) {
        // An HDF5 chunk holds no more than its file has along the axis
        // (1024 records declared, 3 written).
        const bool concat = static_cast<int>(a) == v.concat_axis && longest_file > 0;
        const std::size_t c = v.chunks[a], h = std::min(v.input_chunks[a], concat ? longest_file : v.shape[a]);
        if (h == 0 || c >= v.shape[a] || c % h == 0) continue;
        times = std::max(times, c < h ? (h + c - 1) / c + 1 : std::size_t{2});
      }
      if (times > 1) {
        auto tuple = [](const std::vector<std::size_t>& t) {
          std::string s = "(";
          for (std::size_t i = 0; i < t.size(); ++i) s += (i ? ", " : "") + std::to_string(t[i]);
          return s + ")";
        };
        warnings.Add("chunks " + tuple(v.chunks) + " of ", v.path(),
                     " cut through the inputs' HDF5 chunks " + tuple(v.input_chunks) +
                         ": each is read and inflated up to " + std::to_string(times) +
                         " times; use multiples of them, or give them a cache with --hdf5-cache-mb");
      }
    }
    if (v.concat_axis >= 0 && plan.files.size() > 1 && mean_file_length > 0) {
      double files_per_chunk = static_cast<double>(v.chunks[static_cast<std::size_t>(v.concat_axis)]) / mean_file_length;
      if (files_per_chunk > 8) {
        warnings.Add("each chunk of ", v.path(),
                     " reads from about " + std::to_string(static_cast<long>(std::ceil(files_per_chunk))) +
                         " input files; a smaller '" + plan.concat_dim + "' chunk would read fewer");
      }
    }
  }
  return warnings.Lines();
}

}  // namespace nc2zarr
