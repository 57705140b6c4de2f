#include "nc2zarr/cli/commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <random>

#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/base/megabytes.h"
#include "nc2zarr/cli/credentials_choice.h"
#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/pipeline/job_status.h"
#include "nc2zarr/pipeline/scan_across_ranks.h"
#include "nc2zarr/pipeline/store_admin.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/plan/plan_report.h"
#include "nc2zarr/store/open_store.h"

namespace nc2zarr {
namespace {

int Fail(const Status& st) {
  LogError(st.message());
  return ExitCodeFor(st);
}

// Opens a destination for ls/rm with the command line's credentials.
Result<std::unique_ptr<Store>> OpenTarget(CliOptions& options) {
  if (IsRemoteDestination(options.target)) {
    ASSIGN_OR_RETURN(ResolvedCredentials resolved, ChooseCredentials(options.auth));
    options.convert.destination.credentials = resolved.credentials;
  }
  return OpenStore(options.target, options.convert.destination);
}

}  // namespace

int ExitCodeFor(const Status& status) {
  if (status.ok()) return 0;
  if (status.code() == ErrorCode::kUsage) return 2;
  if (status.code() == ErrorCode::kInterrupted) return 75;  // EX_TEMPFAIL: "try again"
  return 1;
}

// The final figures, for people (one line) and for scripts (--report).
void Report(const CliOptions& options, const Status& st, const ConvertSummary& s, int ranks) {
  const double mb = 1e6;  // decimal megabytes, as the progress lines
  const double ratio = s.stored_bytes ? static_cast<double>(s.raw_bytes) / static_cast<double>(s.stored_bytes) : 0.0;
  const double rate = s.seconds > 0 ? static_cast<double>(s.raw_bytes) / mb / s.seconds : 0.0;
  if (st.ok() && !s.already_complete) {
    char line[400];
    std::snprintf(line, sizeof line,
                  "wrote %llu chunks: %.1f MB raw, %.1f MB stored (ratio %.2f) in %.1f s (%.0f MB/s raw) with %d "
                  "rank(s) and %llu chunk thread(s), %llu retried request(s), peak memory %.0f MiB a rank",
                  static_cast<unsigned long long>(s.chunks), static_cast<double>(s.raw_bytes) / mb,
                  static_cast<double>(s.stored_bytes) / mb, ratio, s.seconds, rate, ranks,
                  static_cast<unsigned long long>(s.chunk_threads),
                  static_cast<unsigned long long>(s.retries), static_cast<double>(s.peak_rss_bytes) / (1 << 20));
    LogInfo(line);
    std::snprintf(line, sizeof line, "time: scan and plan %.2f s, chunks %.2f s, commit %.2f s", s.plan_seconds,
                  s.chunks_seconds, s.commit_seconds);
    LogDebug(line);
  }
  if (options.report_file.empty()) return;
  nlohmann::json j = {{"status", st.ok() ? "complete" : st.code() == ErrorCode::kInterrupted ? "interrupted" : "failed"},
                      {"exit_code", ExitCodeFor(st)},
                      {"destination", options.convert.output},
                      {"wall_seconds", s.seconds},
                      {"phase_seconds", {{"scan_and_plan", s.plan_seconds},
                                         {"chunks", s.chunks_seconds},
                                         {"commit", s.commit_seconds}}},
                      {"ranks", ranks},
                      {"chunk_threads", s.chunk_threads},
                      {"chunks_written", s.chunks},
                      {"chunks_resumed", s.resumed_chunks},
                      {"already_complete", s.already_complete},
                      {"raw_bytes", s.raw_bytes},
                      {"stored_bytes", s.stored_bytes},
                      {"compression_ratio", ratio},
                      {"throughput_mb_per_s", rate},
                      {"retried_requests", s.retries},
                      {"peak_rss_bytes", s.peak_rss_bytes},
                      {"error", st.ok() ? "" : st.message()}};
  std::ofstream out(options.report_file);
  out << j.dump(2) << "\n";
  out.flush();
  if (!out) LogError("cannot write the report " + options.report_file + ": " + std::strerror(errno));
}

// A report that cannot be written is found before hours of work, not after:
// rank 0 (which writes it) checks, and every rank stops alike.
Status CheckReportPath(const std::string& path, Comm& comm) {
  std::string problem;
  if (comm.rank() == 0 && !path.empty()) {
    const auto dir = std::filesystem::path(path).parent_path();
    const std::string where = dir.empty() ? "." : dir.string();
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      problem = "it is a directory";
    } else if (!std::filesystem::is_directory(where, ec)) {
      problem = "the directory " + where + " does not exist";
    } else if (::access(where.c_str(), W_OK) != 0 || (std::filesystem::exists(path, ec) && ::access(path.c_str(), W_OK) != 0)) {
      problem = std::strerror(errno);
    }
  }
  comm.Broadcast(problem, 0);
  if (problem.empty()) return Status::Ok();
  return UsageError("cannot write the report " + path + " (" + problem + "); choose another --report path");
}

int RunConvert(CliOptions options, Comm& comm) {
  ConfigureLog(comm.rank() == 0 ? options.log_level : std::min(options.log_level, LogLevel::kWarning), comm.rank(),
               comm.size());
  ConvertOptions& convert = options.convert;
  convert.destination.ranks = comm.size();
  if (Status report = CheckReportPath(options.report_file, comm); !report.ok()) {
    return comm.rank() == 0 ? Fail(report) : ExitCodeFor(report);
  }
  if (IsRemoteDestination(convert.output)) {
    auto resolved = ChooseCredentialsForJob(options.auth, comm);
    if (!resolved.ok()) {
      if (comm.rank() != 0) return ExitCodeFor(resolved.status());
      Report(options, resolved.status(), ConvertSummary{}, comm.size());  // scripts read why it failed
      return Fail(resolved.status());
    }
    if (comm.rank() == 0) LogInfo("credentials: " + resolved->description);
    convert.destination.credentials = resolved->credentials;
  }
  AnnounceInterrupts(comm.rank() == 0 && options.log_level != LogLevel::kQuiet);
  ConvertSummary summary;
  Status st = Convert(convert, comm, &summary);
  if (comm.rank() != 0) return ExitCodeFor(st);
  Report(options, st, summary, comm.size());
  if (!st.ok()) return Fail(st);
  if (summary.already_complete) {
    LogInfo(convert.output + " already holds the complete store of this job; nothing to do");
    return 0;
  }
  if (summary.resumed_chunks > 0) {
    LogInfo("resumed: " + std::to_string(summary.resumed_chunks) + " chunks were already stored by an earlier run");
  }
  LogInfo("the store is complete: open it with xarray.open_zarr(\"" + convert.output + "\")");
  return 0;
}

int RunPlan(const CliOptions& options) {
  ConfigureLog(options.log_level, 0, 1);
  auto plan = ScanAndPlan(options.convert.inputs, options.convert.request);
  if (!plan.ok()) return Fail(plan.status());
  const bool every_file = options.log_level == LogLevel::kDebug;  // -v
  std::cout << (options.plan_json ? PlanToJson(*plan) + "\n" : DescribePlan(*plan, every_file));
  return 0;
}

int RunList(CliOptions options) {
  ConfigureLog(options.log_level, 0, 1);
  auto store = OpenTarget(options);
  if (!store.ok()) return Fail(store.status());
  auto objects = (*store)->List("");
  if (!objects.ok()) return Fail(objects.status());
  std::uint64_t total = 0;
  const std::string base = (*store)->Describe();
  for (const auto& o : *objects) {
    std::printf("%12llu  %s/%s\n", static_cast<unsigned long long>(o.size), base.c_str(), o.key.c_str());
    total += o.size;
  }
  std::printf("TOTAL: %zu objects, %llu bytes (%s)\n", objects->size(), static_cast<unsigned long long>(total),
              Megabytes(total).c_str());
  return 0;
}

int RunAuthCheck(CliOptions options) {
  ConfigureLog(options.log_level, 0, 1);
  if (!IsGcsUrl(options.target)) return Fail(UsageError("auth check needs a gs://BUCKET/PATH"));
  auto resolved = ChooseCredentials(options.auth);
  if (!resolved.ok()) return Fail(resolved.status());
  std::printf("source:   %s\n", resolved->description.c_str());
  std::printf("identity: %s\n", resolved->identity.c_str());
  auto header = resolved->credentials->AuthorizationHeader();
  if (!header.ok()) return Fail(header.status());
  if (auto left = resolved->RemainingLifetime()) {
    std::printf("token:    valid for %lld more minute(s)\n", static_cast<long long>(left->count() / 60));
  } else {
    std::printf("token:    %s\n", header->empty() ? "none (anonymous)" : "lifetime unknown");
  }
  options.convert.destination.credentials = resolved->credentials;
  auto store = OpenStore(options.target, options.convert.destination);
  if (!store.ok()) return Fail(store.status());
  // The guide's "test write before the real upload".
  const std::string key = ".nc2zarr-auth-check-" + std::to_string(std::random_device{}());
  const std::string text = "nc2zarr auth check";
  auto bytes = std::as_bytes(std::span(text.data(), text.size()));
  Status st = (*store)->Write(key, bytes);
  if (!st.ok()) return Fail(st);
  auto back = (*store)->Read(key);
  if (!back.ok()) return Fail(back.status());
  st = (*store)->Delete(key);
  if (!st.ok()) return Fail(st);
  std::printf("write:    wrote, read back and deleted %s/%s\n", (*store)->Describe().c_str(), key.c_str());
  return 0;
}

int RunStatus(CliOptions options) {
  ConfigureLog(options.log_level, 0, 1);
  std::error_code ec;
  if (!IsRemoteDestination(options.target) && !std::filesystem::exists(options.target, ec)) {
    return Fail(NotFound(options.target + " does not exist"));
  }
  auto store = OpenTarget(options);
  if (!store.ok()) return Fail(store.status());
  auto report = DescribeJobStatus(**store, JournalDirectory(options.target, options.convert.journal_dir));
  if (!report.ok()) return Fail(report.status());
  std::fputs(report->text.c_str(), stdout);
  // `nc2zarr status DEST && ...` goes on only for a complete store.
  return report->damaged ? 1 : report->committed ? 0 : kExitNotCommitted;
}

int RunRemove(CliOptions options) {
  ConfigureLog(options.log_level, 0, 1);
  if (IsRemoteDestination(options.target)) {
    auto path = ParseGcsUrl(options.target);
    if (!path.ok()) return Fail(path.status());
    if (path->prefix.empty()) {
      return Fail(UsageError("refusing to delete the whole bucket gs://" + path->bucket + "; name the store's path"));
    }
  }
  auto store = OpenTarget(options);
  if (!store.ok()) return Fail(store.status());
  auto summary = SummarizeStore(**store);
  if (!summary.ok()) return Fail(summary.status());
  const std::string where = (*store)->Describe();
  if (summary->objects.empty()) return Fail(NotFound("nothing to delete: " + where + " holds no objects"));
  if (!summary->is_store) {
    return Fail(InvalidInput(where + " is not a Zarr store (no .zmetadata, .zgroup or .nc2zarr/); refusing to delete it"));
  }
  std::printf("%s: %zu objects, %llu bytes (%s)\n", where.c_str(), summary->objects.size(),
              static_cast<unsigned long long>(summary->bytes), Megabytes(summary->bytes).c_str());
  if (!options.yes) {
    std::printf("nothing deleted; run again with --yes to delete them\n");
    return 0;
  }
  if (Status claimed = (*store)->ClaimForWriting(); !claimed.ok()) return Fail(claimed);  // not under a running job
  Status st = DeleteStore(**store, *summary);
  // What a writer killed part-way left would keep its directory.
  if (st.ok()) st = (*store)->RemoveLeftovers();
  if (!st.ok()) return Fail(st);
  (*store)->RemoveEmptyDirectories(true);
  std::printf("deleted %zu objects\n", summary->objects.size());
  return 0;
}

}  // namespace nc2zarr
