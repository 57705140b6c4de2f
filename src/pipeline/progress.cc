#include "nc2zarr/pipeline/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace nc2zarr {
namespace {

std::string Bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (b >= 1000 && u < 5) {
    b /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string Duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--:--";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

double Fraction(const ProgressSnapshot& s) {
  if (s.total_bytes > 0) return std::min(1.0, static_cast<double>(s.done.bytes_in) / static_cast<double>(s.total_bytes));
  return s.total_items == 0 ? 1.0 : std::min(1.0, static_cast<double>(s.done.items) / static_cast<double>(s.total_items));
}

std::string Figures(const ProgressSnapshot& s) {
  const double rate = s.seconds > 0 ? static_cast<double>(s.done.bytes_in) / s.seconds : 0;
  const double left = static_cast<double>(s.total_bytes) - static_cast<double>(s.done.bytes_in);
  const double ratio = s.done.bytes_out ? static_cast<double>(s.done.bytes_in) / static_cast<double>(s.done.bytes_out) : 0;
  char buf[256];
  std::snprintf(buf, sizeof buf, "read %s  wrote %s  ratio %.2f  %s/s  ETA %s", Bytes(static_cast<double>(s.done.bytes_in)).c_str(),
                Bytes(static_cast<double>(s.done.bytes_out)).c_str(), ratio, Bytes(rate).c_str(),
                rate > 0 ? Duration(left / rate).c_str() : "--:--:--");
  return buf;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

int TerminalWidth() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

}  // namespace

std::string RenderProgressLine(const ProgressSnapshot& s) {
  char head[128];
  // The share is of the bytes: coordinate chunks are many and tiny.
  std::snprintf(head, sizeof head, "chunks %llu/%llu (%.1f%% of the data)", static_cast<unsigned long long>(s.done.items),
                static_cast<unsigned long long>(s.total_items), 100.0 * Fraction(s));
  std::string line = std::string(head);
  if (s.skipped_items > 0) line += " +" + std::to_string(s.skipped_items) + " done before";
  return line + "  " + Figures(s);
}

std::string RenderProgressBar(const ProgressSnapshot& s, int width) {
  char head[64];
  std::snprintf(head, sizeof head, "%5.1f%% %llu/%llu ", 100.0 * Fraction(s), static_cast<unsigned long long>(s.done.items),
                static_cast<unsigned long long>(s.total_items));
  std::string tail = " " + Figures(s);
  int bar = std::max(10, width - static_cast<int>(std::string(head).size() + tail.size()) - 2);
  int filled = static_cast<int>(Fraction(s) * bar);
  std::string out = head + std::string("[") + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(bar - filled), '.') + "]" + tail;
  if (static_cast<int>(out.size()) > width) out.resize(static_cast<std::size_t>(width));
  return out;
}

ProgressDisplay::ProgressDisplay(ProgressMode mode, std::chrono::milliseconds interval,
                                 std::function<ProgressSnapshot()> sample)
    : mode_(mode == ProgressMode::kAuto ? (StderrIsTerminal() ? ProgressMode::kBar : ProgressMode::kLines) : mode),
      interval_(interval),
      sample_(std::move(sample)) {
  if (mode_ != ProgressMode::kNone) thread_ = std::thread([this] { Run(); });
}

ProgressDisplay::~ProgressDisplay() { Stop(); }

void ProgressDisplay::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressDisplay::Run() {
  const bool bar = mode_ == ProgressMode::kBar;
  // A terminal bar redraws often; batch logs get a line per interval.
  const auto period = bar ? std::chrono::milliseconds(500) : interval_;
  std::unique_lock lock(mutex_);
  bool first = true;
  while (true) {
    // The first line comes at once: no silent start.
    if (!first) wake_.wait_for(lock, period, [&] { return stop_; });
    first = false;
    const bool last = stop_;
    lock.unlock();
    ProgressSnapshot s = sample_();
    if (bar) {
      std::fprintf(stderr, "\r%s%s", RenderProgressBar(s, TerminalWidth() - 1).c_str(), last ? "\n" : "");
    } else {
      std::fprintf(stderr, "nc2zarr: %s\n", RenderProgressLine(s).c_str());
    }
    std::fflush(stderr);
    lock.lock();
    if (last) return;
  }
}

}  // namespace nc2zarr
