#include "nc2zarr/base/interrupt.h"

#include <atomic>
#include <csignal>
#include <ctime>

namespace nc2zarr {
namespace {

static_assert(std::atomic<long long>::is_always_lock_free, "the signal handler stores a long long");

std::atomic<int> g_signal{0};
// When the first signal came (CLOCK_MONOTONIC ns, 0 = none) and how long
// in-flight work may go on after it. The deadline counts from the signal
// itself, whatever each thread is doing then: a rank waiting for its last
// upload must not wait for that upload's own timeout.
std::atomic<long long> g_signal_ns{0};
std::atomic<long long> g_grace_ns{30'000'000'000LL};

long long NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe, unlike most of <chrono>
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

extern "C" void OnInterrupt(int signal) {
  long long none = 0;
  g_signal_ns.compare_exchange_strong(none, NowNs());
  g_signal.store(signal);
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

void SetGracePeriod(std::chrono::milliseconds grace) {
  g_grace_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(grace).count());
}

bool AbandonRequested() {
  const long long since = g_signal_ns.load();
  return since != 0 && NowNs() - since >= g_grace_ns.load();
}

void RequestInterruptForTesting(int signal) { OnInterrupt(signal); }

void ResetInterruptForTesting() {
  g_signal.store(0);
  g_signal_ns.store(0);
}

}  // namespace nc2zarr
