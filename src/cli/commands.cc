#include "nc2zarr/cli/commands.h"

#include <cstdio>
#include <iostream>

#include "nc2zarr/base/log.h"
#include "nc2zarr/pipeline/scan.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/plan/plan_report.h"

namespace nc2zarr {

int ExitCodeFor(const Status& status) {
  if (status.ok()) return 0;
  return status.code() == ErrorCode::kUsage ? 2 : 1;
}

int RunConvert(const CliOptions& options, Comm& comm) {
  ConfigureLog(comm.rank() == 0 ? options.log_level : std::min(options.log_level, LogLevel::kWarning), comm.rank(),
               comm.size());
  ConvertSummary summary;
  Status st = Convert(options.convert, comm, &summary);
  if (comm.rank() != 0) return ExitCodeFor(st);
  if (!st.ok()) {
    LogError(st.message());
    return ExitCodeFor(st);
  }
  char line[256];
  double mb = 1024.0 * 1024.0;
  std::snprintf(line, sizeof line, "wrote %llu chunks: %.1f MB raw, %.1f MB stored (ratio %.2f) in %.1f s (%.0f MB/s raw) with %d rank(s)",
                static_cast<unsigned long long>(summary.chunks), summary.raw_bytes / mb, summary.stored_bytes / mb,
                summary.stored_bytes ? static_cast<double>(summary.raw_bytes) / static_cast<double>(summary.stored_bytes) : 0.0,
                summary.seconds, summary.seconds > 0 ? summary.raw_bytes / mb / summary.seconds : 0.0, comm.size());
  LogInfo(line);
  LogInfo("the store is complete: open it with xarray.open_zarr(\"" + options.convert.output + "\")");
  return 0;
}

int RunPlan(const CliOptions& options) {
  ConfigureLog(options.log_level, 0, 1);
  auto plan = ScanAndPlan(options.convert.inputs, options.convert.request);
  if (!plan.ok()) {
    LogError(plan.status().message());
    return ExitCodeFor(plan.status());
  }
  std::cout << (options.plan_json ? PlanToJson(*plan) + "\n" : DescribePlan(*plan));
  return 0;
}

}  // namespace nc2zarr
