#include "nc2zarr/base/interrupt.h"

#include <atomic>
#include <csignal>

namespace nc2zarr {
namespace {

std::atomic<int> g_signal{0};
std::atomic<long long> g_deadline_ns{0};  // steady-clock time after which to abandon; 0 = none

extern "C" void OnInterrupt(int signal) { g_signal.store(signal); }

long long NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaction(s, &action, nullptr);
}

bool InterruptRequested() { return g_signal.load() != 0; }
int InterruptSignal() { return g_signal.load(); }

void StartGraceDeadline(std::chrono::milliseconds grace) {
  long long expected = 0;
  g_deadline_ns.compare_exchange_strong(expected, NowNs() + std::chrono::nanoseconds(grace).count());
}

bool AbandonRequested() {
  long long deadline = g_deadline_ns.load();
  return deadline != 0 && NowNs() >= deadline;
}

void ResetInterruptForTesting() {
  g_signal.store(0);
  g_deadline_ns.store(0);
}

}  // namespace nc2zarr
