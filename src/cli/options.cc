#include "nc2zarr/cli/options.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <sstream>

namespace nc2zarr {
namespace {

constexpr const char* kVersion = "nc2zarr 0.1.0";

std::vector<std::string> SplitCommas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::stringstream in(item);
    for (std::string part; std::getline(in, part, ',');) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::pair<std::string, long long>>> ParseChunkSizes(const std::string& text) {
  std::vector<std::pair<std::string, long long>> out;
  for (const auto& part : SplitCommas({text})) {
    auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError("--chunks expects DIM=SIZE[,DIM=SIZE...], got '" + part + "'");
    }
    std::string dim = part.substr(0, eq), value = part.substr(eq + 1);
    long long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n < -1) {
      return UsageError("--chunks " + part + ": the size must be a positive integer or -1 (the whole dimension)");
    }
    for (const auto& [seen, _] : out) {
      if (seen == dim) return UsageError("--chunks names '" + dim + "' twice");
    }
    out.emplace_back(dim, n);
  }
  return out;
}

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"nc2zarr: convert many NetCDF files into one Zarr store, in parallel with MPI"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  CliOptions options;
  std::vector<std::string> inputs, variables;
  std::string chunks, compressor = "zstd:1";
  double target_mb = 100;
  bool verbose = false, quiet = false;

  auto add_planning = [&](CLI::App* cmd) {
    cmd->add_option("inputs", inputs, "NetCDF files, quoted glob patterns, or @list.txt (one path a line)")
        ->required();
    cmd->add_option("--concat-dim", options.convert.request.concat_dim,
                    "dimension to concatenate along (default: the unlimited dimension all files share, else the "
                    "one coordinate that differs between files)");
    cmd->add_option("--chunks", chunks, "chunk sizes, e.g. time=24,lat=-1 (-1 = whole dimension)");
    cmd->add_option("--target-chunk-mb", target_mb, "chunk size to aim for where --chunks says nothing")
        ->capture_default_str();
    cmd->add_option("--variables", variables, "variables to convert, comma separated (their coordinates come along)");
    cmd->add_option("--compressor", compressor, "zstd[:LEVEL] or none")->capture_default_str();
    cmd->add_flag("-v,--verbose", verbose, "more detail on stderr");
    cmd->add_flag("-q,--quiet", quiet, "only errors on stderr");
  };

  CLI::App* convert = app.add_subcommand("convert", "convert the inputs into a Zarr v2 store");
  add_planning(convert);
  convert->add_option("-o,--output", options.convert.output, "destination directory of the Zarr store")->required();
  convert->add_flag("--overwrite", options.convert.overwrite, "replace an existing store at the destination");

  CLI::App* plan = app.add_subcommand("plan", "show what convert would write, without writing anything");
  add_planning(plan);
  plan->add_flag("--json", options.plan_json, "print the plan as JSON");

  ParsedCommandLine parsed;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    parsed.message = app.help();
    return parsed;
  } catch (const CLI::CallForAllHelp&) {
    parsed.message = app.help("", CLI::AppFormatMode::All);
    return parsed;
  } catch (const CLI::CallForVersion&) {
    parsed.message = std::string(kVersion) + "\n";
    return parsed;
  } catch (const CLI::ParseError& e) {
    parsed.message = std::string("nc2zarr: error: ") + e.what() + "\nRun with --help for usage.\n";
    parsed.exit_code = 2;
    return parsed;
  }

  auto usage_error = [&](const Status& st) {
    parsed.message = "nc2zarr: error: " + st.message() + "\n";
    parsed.exit_code = 2;
    return parsed;
  };
  options.command = plan->parsed() ? Command::kPlan : Command::kConvert;
  options.convert.inputs = inputs;
  options.convert.request.variables = SplitCommas(variables);
  options.convert.request.chunks.target_mb = target_mb;
  if (!(target_mb > 0)) return usage_error(UsageError("--target-chunk-mb must be positive"));
  auto sizes = ParseChunkSizes(chunks);
  if (!sizes.ok()) return usage_error(sizes.status());
  options.convert.request.chunks.sizes = *sizes;
  auto spec = CompressorSpec::Parse(compressor);
  if (!spec.ok()) return usage_error(spec.status());
  options.convert.request.compressor = *spec;
  options.log_level = quiet ? LogLevel::kQuiet : verbose ? LogLevel::kDebug : LogLevel::kInfo;
  parsed.options = options;
  return parsed;
}

}  // namespace nc2zarr
