// SIGTERM, SIGINT and SIGUSR1 (what Slurm sends before a time limit or a
// preemption) ask the job to stop: ranks take no new work, let in-flight
// writes finish for a grace period, then abandon them; a second signal
// abandons them at once. The handler sets flags (and may write one line);
// everything else polls them.
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

// Whether the handler writes one line to stderr when a signal comes: what
// stopping means (the first), or that it is now abandoning (a second, which
// also ends the grace period). One rank announces for the job.
void AnnounceInterrupts(bool announce);

// For tests: act as if signal arrived now; forget a previous request.
void RequestInterruptForTesting(int signal);
void ResetInterruptForTesting();

}  // namespace nc2zarr
