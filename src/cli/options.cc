#include "nc2zarr/cli/options.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace nc2zarr {
namespace {

constexpr const char* kVersion = "nc2zarr 0.2.0";

// CLI11 reads "inf" and "nan" as numbers, which no option here can mean:
// infinite chunk sizes or timeouts would only fail later, less clearly.
CLI::Validator FiniteNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || std::isfinite(value)) return "";  // not a number: CLI11 says so itself
        return "'" + text + "' is not a finite number";
      },
      "NUMBER");
}

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

// Options every command that talks to a destination shares.
struct DestinationFlags {
  std::string api = "json";
  double resumable_threshold_mb = 16, piece_mb = 8, stall_seconds = 60;
  int retry_attempts = 12;
  double retry_seconds = 900, retry_initial_seconds = 1;
  double initial_rate = 1000;

  // uploads: the command writes objects (convert, auth check), so the
  // options that shape writes are offered; status, ls and rm only read,
  // list and delete, and their help stays short.
  void AddTo(CLI::App* cmd, CliOptions& o, bool uploads) {
    auto* g = cmd->add_option_group("Destination and credentials (gs://)");
    g->add_option("--gcs-endpoint", o.convert.destination.gcs_endpoint,
                  "GCS endpoint URL (default: $STORAGE_EMULATOR_HOST, else https://storage.googleapis.com)");
    g->add_flag("--anonymous", o.auth.anonymous, "send no credentials (public buckets, test servers)");
    g->add_option("--token-file", o.auth.token_file, "a file holding a bearer access token");
    g->add_option("--credentials", o.auth.credentials_file,
                  "a service-account key or authorized-user JSON file (default: $GOOGLE_APPLICATION_CREDENTIALS, "
                  "then gcloud's application default credentials, then the metadata server)");
    g->add_option("--scope", o.auth.scope, "OAuth scope to request")->capture_default_str();
    if (uploads) {
      g->add_option("--gcs-api", api, "json or xml (for uploads)")
          ->check(CLI::IsMember({"json", "xml"}))
          ->capture_default_str();
      g->add_option("--resumable-threshold-mb", resumable_threshold_mb, "objects this big use resumable uploads")
          ->check(FiniteNumber())
          ->capture_default_str();
      g->add_option("--piece-mb", piece_mb, "bytes per resumable request (rounded to 256 KiB)")
          ->check(FiniteNumber())
          ->capture_default_str();
    }
    g->add_option("--retry-attempts", retry_attempts, "attempts per request before giving up")->capture_default_str();
    g->add_option("--retry-seconds", retry_seconds, "time per request before giving up")
        ->check(FiniteNumber())
        ->capture_default_str();
    g->add_option("--retry-initial-seconds", retry_initial_seconds,
                  "first backoff ceiling; doubles per retry up to 32 s, with full jitter")
        ->check(FiniteNumber())
        ->capture_default_str();
    g->add_option("--timeout-seconds", stall_seconds, "a request with no progress for this long is retried")
        ->check(FiniteNumber())
        ->capture_default_str();
    if (uploads) {
      g->add_option("--initial-request-rate", initial_rate,
                    "object writes per second for the whole job at first; doubles every 20 minutes")
          ->check(FiniteNumber())
          ->capture_default_str();
    }
  }

  Status ApplyTo(CliOptions& o) const {
    auto& d = o.convert.destination;
    d.gcs.api = api == "xml" ? GcsApi::kXml : GcsApi::kJson;
    for (const auto& [name, value] : {std::pair<const char*, double>{"--resumable-threshold-mb", resumable_threshold_mb},
                                      {"--piece-mb", piece_mb},
                                      {"--retry-attempts", retry_attempts},
                                      {"--retry-seconds", retry_seconds},
                                      {"--timeout-seconds", stall_seconds},
                                      {"--initial-request-rate", initial_rate}}) {
      if (!(value > 0)) return UsageError(std::string(name) + " must be positive");
    }
    if (!(retry_initial_seconds >= 0)) return UsageError("--retry-initial-seconds must not be negative");
    d.gcs.resumable_threshold = static_cast<std::size_t>(resumable_threshold_mb * (1 << 20));
    d.gcs.piece_size = static_cast<std::size_t>(piece_mb * (1 << 20));
    d.gcs.retry.max_attempts = retry_attempts;
    d.gcs.retry.max_total = std::chrono::milliseconds(static_cast<long long>(retry_seconds * 1000));
    d.gcs.retry.initial_backoff = std::chrono::milliseconds(static_cast<long long>(retry_initial_seconds * 1000));
    d.gcs.transport.stall_timeout = std::chrono::milliseconds(static_cast<long long>(stall_seconds * 1000));
    d.initial_job_rate = initial_rate;
    return Status::Ok();
  }
};

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
  CLI::App app{"nc2zarr: convert many NetCDF files into one Zarr store, in parallel with MPI, to a local "
               "directory or a Google Cloud Storage bucket"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  CliOptions options;
  std::vector<std::string> inputs, variables, drop_variables;
  std::string chunks, compressor = "zstd:1";
  bool shuffle = false;
  double target_mb = 100, grace_seconds = 30, progress_seconds = 10, hdf5_cache_mb = 0, write_buffer_mb = -1;
  std::string progress = "auto";
  bool verbose = false, quiet = false;
  DestinationFlags destination;

  auto add_logging = [&](CLI::App* cmd) {
    cmd->add_flag("-v,--verbose", verbose, "more detail on stderr (plan: every input file)");
    cmd->add_flag("-q,--quiet", quiet, "only errors on stderr");
  };
  auto add_planning = [&](CLI::App* cmd) {
    cmd->add_option("inputs", inputs, "NetCDF files, quoted glob patterns, or @list.txt (one path a line)")
        ->required();
    cmd->add_option("--concat-dim", options.convert.request.concat_dim,
                    "dimension to concatenate along (default: the unlimited dimension all files share, else the "
                    "one coordinate that differs between files)");
    cmd->add_option("--chunks", chunks, "chunk sizes, e.g. time=24,lat=-1 (-1 = whole dimension)");
    cmd->add_option("--target-chunk-mb", target_mb, "chunk size to aim for where --chunks says nothing")
        ->check(FiniteNumber())
        ->capture_default_str();
    // One value an occurrence (repeatable): `--variables tas in/*.nc` must
    // not take the inputs for variable names.
    cmd->add_option("--variables", variables, "variables to convert, comma separated (their coordinates come along)")
        ->allow_extra_args(false);
    cmd->add_option("--drop-variables", drop_variables,
                    "variables to leave out, comma separated, even where others name them (as xarray's "
                    "drop_variables)")
        ->allow_extra_args(false);
    cmd->add_option("--compressor", compressor, "zstd[:LEVEL] or none")->capture_default_str();
    cmd->add_flag("--shuffle", shuffle, "byte-shuffle numbers before compressing (numcodecs' shuffle filter)");
    add_logging(cmd);
  };

  CLI::App* convert = app.add_subcommand("convert", "convert the inputs into a Zarr v2 store");
  add_planning(convert);
  convert->add_option("-o,--output", options.convert.output, "destination: a directory or gs://BUCKET/PATH")
      ->required();
  convert->add_flag("--overwrite", options.convert.overwrite, "replace an existing store at the destination");
  // Callbacks rather than CLI11's negated flags, whose help reads "{false}".
  auto* resume = convert->add_flag_callback("--resume", [&options] { options.convert.resume = true; },
                                            "continue an interrupted run of the same job (the default)");
  convert->add_flag_callback("--no-resume", [&options] { options.convert.resume = false; },
                             "start an interrupted run of the same job again instead of continuing it")
      ->excludes(resume);
  convert->add_option("--journal-dir", options.convert.journal_dir,
                      "where each rank records what it stored (default: DEST/.nc2zarr/journal for a directory, "
                      "./.nc2zarr-journal/BUCKET/PATH for gs://)");
  convert->add_option("--hdf5-cache-mb", hdf5_cache_mb,
                      "HDF5 chunk cache per input variable of each open file (each chunk thread opens its own); "
                      "raise it when Zarr chunks cut through the inputs' HDF5 chunks")
      ->check(FiniteNumber())
      ->capture_default_str();
  convert->add_flag_callback("--no-direct-reads", [&options] { options.convert.direct_chunk_reads = false; },
                             "read every input only through netCDF-C (by default netCDF-4 inputs' compressed HDF5 chunks are "
                    "read and inflated directly, and classic-format data read with pread, where the layout allows)");
  convert->add_option("--progress", progress, "auto, bar, lines or none (auto, the default: a bar on a terminal, else lines)")
      ->check(CLI::IsMember({"auto", "bar", "lines", "none"}));
  convert->add_option("--progress-interval", progress_seconds, "seconds between progress lines")
      ->check(FiniteNumber())
      ->capture_default_str();
  convert->add_option("--report", options.report_file, "write the final figures as JSON to FILE");
  convert->add_option("--grace-seconds", grace_seconds,
                      "after SIGTERM/SIGINT/SIGUSR1, time for writes in flight to finish before exiting with 75")
      ->check(FiniteNumber())
      ->capture_default_str();
  convert->add_option("--threads", options.convert.chunk_threads,
                      "threads per rank that read and compress chunks (default: the cores the rank may use, "
                      "as bound by mpirun or srun, up to 8)")
      ->check(CLI::Range(1, 256));
  convert->add_option("--write-threads", options.convert.write_threads,
                      "object writes in flight per rank, overlapped with reading and compressing")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  convert->add_option("--write-buffer-mb", write_buffer_mb,
                      "compressed chunks a rank holds for writes queued or in flight, in MiB: bounds memory when the "
                      "destination is slower than reading (one chunk is always let through; default 128 for gs://, "
                      "32 for a directory)")
      ->check(FiniteNumber());
  destination.AddTo(convert, options, /*uploads=*/true);

  CLI::App* status = app.add_subcommand("status", "show how far a conversion into DEST has got");
  status->add_option("target", options.target, "the destination: a directory or gs://BUCKET/PATH")->required();
  status->add_option("--journal-dir", options.convert.journal_dir, "as given to convert");
  add_logging(status);
  destination.AddTo(status, options, /*uploads=*/false);

  CLI::App* auth = app.add_subcommand("auth", "credentials");
  auth->require_subcommand(1);
  CLI::App* auth_check = auth->add_subcommand(
      "check", "show which credentials are used, then write, read back and delete a tiny object under gs://BUCKET/PATH");
  auth_check->add_option("target", options.target, "gs://BUCKET/PATH")->required();
  add_logging(auth_check);
  destination.AddTo(auth_check, options, /*uploads=*/true);

  CLI::App* plan = app.add_subcommand("plan", "show what convert would write, without writing anything");
  add_planning(plan);
  plan->add_flag("--json", options.plan_json, "print the plan as JSON");

  CLI::App* ls = app.add_subcommand("ls", "list objects under gs://BUCKET/PREFIX with their sizes");
  ls->add_option("target", options.target, "gs://BUCKET/PREFIX")->required();
  add_logging(ls);
  destination.AddTo(ls, options, /*uploads=*/false);

  CLI::App* rm = app.add_subcommand("rm", "delete a whole store under gs://BUCKET/PATH (or a local store)");
  rm->add_option("target", options.target, "the store to delete")->required();
  rm->add_flag("-y,--yes", options.yes, "really delete (without it, only show what would go)");
  add_logging(rm);
  destination.AddTo(rm, options, /*uploads=*/false);

  ParsedCommandLine parsed;
  auto command_line_error = [&](const std::string& what) {
    // One line, as every other error: what is wrong, and where help is.
    parsed.message = "nc2zarr: error: " + what + "; see nc2zarr --help\n";
    parsed.exit_code = 2;
    return parsed;
  };
  // Checked before parsing: `nc2zarr inspect --help` would otherwise print
  // the top help and exit 0, as if the command existed.
  if (argc > 1 && argv[1][0] != '-' &&
      app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == argv[1]; }).empty()) {
    return command_line_error(std::string("unknown command '") + argv[1] +
                       "' (the commands are convert, plan, status, ls, rm, auth)");
  }
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
    return command_line_error(e.what());
  }

  auto usage_error = [&](const Status& st) {
    parsed.message = "nc2zarr: error: " + st.message() + "\n";
    parsed.exit_code = 2;
    return parsed;
  };
  options.command = plan->parsed()  ? Command::kPlan
                    : ls->parsed()  ? Command::kList
                    : rm->parsed()  ? Command::kRemove
                    : status->parsed() ? Command::kStatus
                    : auth_check->parsed() ? Command::kAuthCheck
                                    : Command::kConvert;
  if (!(grace_seconds >= 0)) return usage_error(UsageError("--grace-seconds must not be negative"));
  if (!(progress_seconds > 0)) return usage_error(UsageError("--progress-interval must be positive"));
  if (!(hdf5_cache_mb >= 0)) return usage_error(UsageError("--hdf5-cache-mb must not be negative"));
  options.convert.hdf5_cache_bytes = static_cast<std::size_t>(hdf5_cache_mb * (1 << 20));
  if (convert->count("--write-buffer-mb") > 0) {
    if (!(write_buffer_mb >= 0)) return usage_error(UsageError("--write-buffer-mb must not be negative"));
    options.convert.write_buffer_bytes = static_cast<std::size_t>(write_buffer_mb * (1 << 20));
  }
  options.convert.progress_interval = std::chrono::milliseconds(static_cast<long long>(progress_seconds * 1000));
  options.convert.progress = progress == "bar"     ? ProgressMode::kBar
                             : progress == "lines" ? ProgressMode::kLines
                             : progress == "none" || quiet ? ProgressMode::kNone
                                                           : ProgressMode::kAuto;
  options.convert.grace = std::chrono::milliseconds(static_cast<long long>(grace_seconds * 1000));
  options.convert.inputs = inputs;
  options.convert.request.variables = SplitCommas(variables);
  if (!variables.empty() && options.convert.request.variables.empty()) {
    return usage_error(UsageError("--variables names no variable: give names separated by commas"));
  }
  options.convert.request.drop_variables = SplitCommas(drop_variables);
  if (!drop_variables.empty() && options.convert.request.drop_variables.empty()) {
    return usage_error(UsageError("--drop-variables names no variable: give names separated by commas"));
  }
  options.convert.request.chunks.target_mb = target_mb;
  if (!(target_mb > 0)) return usage_error(UsageError("--target-chunk-mb must be positive"));
  auto sizes = ParseChunkSizes(chunks);
  if (!sizes.ok()) return usage_error(sizes.status());
  options.convert.request.chunks.sizes = *sizes;
  auto spec = CompressorSpec::Parse(compressor);
  if (!spec.ok()) return usage_error(spec.status());
  options.convert.request.compressor = *spec;
  options.convert.request.compressor.shuffle = options.convert.request.compressor.shuffle || shuffle;
  if (Status st = destination.ApplyTo(options); !st.ok()) return usage_error(st);
  int sources = options.auth.anonymous + !options.auth.token_file.empty() + !options.auth.credentials_file.empty();
  if (sources > 1) return usage_error(UsageError("use only one of --anonymous, --token-file and --credentials"));
  options.log_level = quiet ? LogLevel::kQuiet : verbose ? LogLevel::kDebug : LogLevel::kInfo;
  parsed.options = options;
  return parsed;
}

}  // namespace nc2zarr
