#include "nc2zarr/base/log.h"

#include <cstdio>
#include <mutex>

namespace nc2zarr {
namespace {

struct LogConfig {
  LogLevel level = LogLevel::kWarning;
  std::string tag;  // "[rank 3] " in jobs of several ranks
  std::mutex mutex;
};

LogConfig& Config() {
  static LogConfig config;
  return config;
}

void Write(LogLevel level, const char* prefix, const std::string& message) {
  LogConfig& c = Config();
  if (level > c.level) return;
  std::lock_guard lock(c.mutex);
  std::fflush(stdout);  // what a command printed before comes first, even when stdout is a pipe
  std::fprintf(stderr, "nc2zarr: %s%s%s\n", c.tag.c_str(), prefix, message.c_str());
  std::fflush(stderr);
}

}  // namespace

void ConfigureLog(LogLevel level, int rank, int ranks) {
  LogConfig& c = Config();
  c.level = level;
  c.tag = ranks > 1 ? "[rank " + std::to_string(rank) + "] " : "";
}

LogLevel CurrentLogLevel() { return Config().level; }

void LogWarning(const std::string& message) { Write(LogLevel::kWarning, "warning: ", message); }
void LogInfo(const std::string& message) { Write(LogLevel::kInfo, "", message); }
void LogDebug(const std::string& message) { Write(LogLevel::kDebug, "", message); }

void LogError(const std::string& message) {
  LogConfig& c = Config();
  std::lock_guard lock(c.mutex);
  std::fflush(stdout);
  std::fprintf(stderr, "nc2zarr: error: %s\n", message.c_str());
  std::fflush(stderr);
}

}  // namespace nc2zarr
