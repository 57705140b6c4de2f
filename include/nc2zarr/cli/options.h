// The command line, parsed into plain structs (testable without MPI).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nc2zarr/base/log.h"
#include "nc2zarr/pipeline/converter.h"

namespace nc2zarr {

enum class Command { kConvert, kPlan, kList, kRemove, kStatus, kAuthCheck };

// Where credentials for gs:// come from (see docs/credentials.md).
struct AuthOptions {
  bool anonymous = false;
  std::string token_file;        // --token-file
  std::string credentials_file;  // --credentials
  std::string scope = "https://www.googleapis.com/auth/devstorage.read_write";
};

struct CliOptions {
  Command command = Command::kConvert;
  ConvertOptions convert;  // inputs, output, planning and destination options
  AuthOptions auth;
  bool plan_json = false;  // plan --json
  std::string target;      // ls / rm / status: a gs:// URL or a local path
  bool yes = false;        // rm --yes
  std::string report_file;  // convert --report FILE.json
  LogLevel log_level = LogLevel::kWarning;
};

// Either options to run, or what to print and the exit code (help, version,
// usage errors: exit code 2).
struct ParsedCommandLine {
  std::optional<CliOptions> options;
  std::string message;
  int exit_code = 0;
};

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

// "time=24,lat=-1" -> {{"time", 24}, {"lat", -1}}
Result<std::vector<std::pair<std::string, long long>>> ParseChunkSizes(const std::string& text);

}  // namespace nc2zarr
