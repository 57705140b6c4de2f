#include "nc2zarr/pipeline/inputs.h"

#include <glob.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "nc2zarr/base/file_stamp.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

bool IsPattern(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// A path that exists is taken as it is, even with glob characters in its
// name (`run[1].nc`); anything else with them is a pattern.
Status ExpandOne(const std::string& arg, std::vector<std::string>& out) {
  std::error_code ignored;
  if (std::filesystem::is_directory(arg, ignored)) {
    std::string dir = arg;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return UsageError(arg + " is a directory: give the files in it, e.g. '" + dir + "/*.nc' (quoted)");
  }
  if (!IsPattern(arg) || std::filesystem::exists(arg, ignored)) {
    out.push_back(arg);
    return Status::Ok();
  }
  glob_t g{};
  int rc = ::glob(arg.c_str(), 0, nullptr, &g);
  if (rc == GLOB_NOMATCH) {
    globfree(&g);
    return UsageError("no files match '" + arg + "'");
  }
  if (rc != 0) {
    globfree(&g);
    return UsageError("cannot expand '" + arg + "'");
  }
  for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);  // glob sorts
  globfree(&g);
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& arguments) {
  std::vector<std::string> expanded;
  for (const auto& arg : arguments) {
    if (!arg.empty() && arg[0] == '@') {
      const std::string list = arg.substr(1);
      std::ifstream in(list);
      if (!in) return UsageError("cannot read the input list " + list);
      const std::size_t before = expanded.size();
      for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        std::size_t lead = line.find_first_not_of(" \t");
        if (lead == std::string::npos || line[lead] == '#') continue;
        RETURN_IF_ERROR(ExpandOne(line.substr(lead), expanded));
      }
      if (expanded.size() == before) return UsageError("the input list " + list + " names no file");
    } else {
      RETURN_IF_ERROR(ExpandOne(arg, expanded));
    }
  }
  // A file named twice (overlapping patterns, `f.nc ./f.nc`, a symbolic
  // or hard link) is one input, kept where it first appears.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  std::size_t repeated = 0;
  std::string first_repeated;
  for (auto& p : expanded) {
    const std::string identity = FileIdentity(p).value_or("path:" + p);
    if (!seen.insert(identity).second) {
      // xarray would read it twice (and refuse the overlap); said, so a
      // list that names a file twice by mistake is noticed.
      if (repeated++ == 0) first_repeated = p;
      continue;
    }
    // Absolute, its directory with symbolic links resolved (as the system
    // resolves `link/..`), so the plan names the same files however they
    // were spelled (`run/f.nc` from the submit directory, `$SCRATCH/run/f.nc`
    // in the batch script): the rerun is the same job. A file that is a
    // link keeps its own name.
    std::error_code ec;
    const std::filesystem::path given(p);
    auto directory = std::filesystem::weakly_canonical(std::filesystem::absolute(given, ec).parent_path(), ec);
    unique.push_back(ec ? std::move(p) : (directory / given.filename()).string());
  }
  if (unique.empty()) return UsageError("no input files given");
  if (repeated > 0) {
    LogWarning(first_repeated + (repeated > 1 ? " and " + std::to_string(repeated - 1) + " more input(s) are" : " is") +
               " named more than once; each file is converted once");
  }
  return unique;
}

}  // namespace nc2zarr
