#include "nc2zarr/base/interrupt.h"

#include <atomic>
#include <csignal>
#include <ctime>

#include <unistd.h>

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
std::atomic<int> g_signal_count{0};  // signals after the first: only the first of them is announced

long long NowNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe, unlike most of <chrono>
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

std::atomic<bool> g_announce{false};

// Tells the user at once what the signal does; only write(2) and plain
// arithmetic here, which a signal handler may use.
void Announce(bool first) {
  if (!g_announce.load()) return;
  char line[200];
  std::size_t n = 0;
  auto put = [&](const char* text) {
    while (*text != '\0' && n < sizeof line) line[n++] = *text++;
  };
  if (first) {
    char digits[24];
    int d = 0;
    for (long long s = (g_grace_ns.load() + 999'999'999LL) / 1'000'000'000LL; d == 0 || s > 0; s /= 10) {
      digits[d++] = static_cast<char>('0' + s % 10);
    }
    put("nc2zarr: stopping: no new chunks start, and writes in flight have up to ");
    while (d > 0 && n < sizeof line) line[n++] = digits[--d];
    put(" s to finish (Ctrl-C again to stop at once)\n");
  } else {
    put("nc2zarr: stopping at once: writes in flight are abandoned\n");
  }
  (void)!::write(STDERR_FILENO, line, n);
}

extern "C" void OnInterrupt(int signal) {
  long long none = 0;
  const bool first = g_signal_ns.compare_exchange_strong(none, NowNs());
  if (first) {
    g_signal.store(signal);
    Announce(true);
    return;
  }
  // A second Ctrl-C ends the grace period: whoever waits abandons now.
  // Repeated SIGTERM/SIGUSR1 do not: launchers relay and repeat them (srun
  // sends SIGTERM again as it forces a step down at a time limit), and the
  // grace period is for exactly that case; SIGKILL follows if it runs out.
  if (signal != SIGINT) return;
  g_grace_ns.store(0);
  g_signal.store(signal);
  if (g_signal_count.fetch_add(1) == 0) Announce(false);
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaction(s, &action, nullptr);
}

void AnnounceInterrupts(bool announce) { g_announce.store(announce); }

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
  g_signal_count.store(0);
}

}  // namespace nc2zarr
