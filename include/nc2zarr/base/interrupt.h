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

// How long in-flight transfers may go on after the first signal (default
// 30 s); after that AbandonRequested() is true and they are abandoned.
void SetGracePeriod(std::chrono::milliseconds grace);
bool AbandonRequested();

// For tests: act as if signal arrived now; forget a previous request.
void RequestInterruptForTesting(int signal);
void ResetInterruptForTesting();

}  // namespace nc2zarr
