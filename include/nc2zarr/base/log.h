// Log lines on stderr. The level and the rank tag are set once at start-up.
#pragma once

#include <string>

namespace nc2zarr {

enum class LogLevel { kQuiet = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void ConfigureLog(LogLevel level, int rank, int ranks);
LogLevel CurrentLogLevel();

void LogWarning(const std::string& message);
void LogInfo(const std::string& message);
void LogDebug(const std::string& message);
// Always printed: the one line a failed command leaves.
void LogError(const std::string& message);

}  // namespace nc2zarr
