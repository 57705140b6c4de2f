// SIGTERM, SIGINT and SIGUSR1 (what Slurm sends before a time limit or a
// preemption) ask the job to stop: ranks take no new work, let in-flight
// writes finish for a grace period, then abandon them. The handler only
// sets flags; everything else polls them.
#pragma once

#include <chrono>

namespace nc2zarr {

void InstallInterruptHandlers();
bool InterruptRequested();
int InterruptSignal();  // the signal that asked, 0 if none

// After the grace period, transfers in progress are abandoned.
void StartGraceDeadline(std::chrono::milliseconds grace);
bool AbandonRequested();

// For tests: forget a previous request.
void ResetInterruptForTesting();

}  // namespace nc2zarr
