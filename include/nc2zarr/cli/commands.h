// What each subcommand does once its options are parsed; returns the exit
// code (0 done, 1 error, 2 usage).
#pragma once

#include "nc2zarr/cli/options.h"
#include "nc2zarr/mpi/comm.h"

namespace nc2zarr {

int RunConvert(CliOptions options, Comm& comm);
int RunPlan(const CliOptions& options);
int RunList(CliOptions options);
int RunRemove(CliOptions options);
int RunStatus(CliOptions options);
int RunAuthCheck(CliOptions options);

// The exit code for a status: 0, 1 error, 2 usage, 75 interrupted (rerun to
// resume).
int ExitCodeFor(const Status& status);

// `nc2zarr status` of a store not committed yet (interrupted, or running).
inline constexpr int kExitNotCommitted = 3;

}  // namespace nc2zarr
