// nc2zarr: parse the command line, start MPI for convert, run the command.
#include <cstdio>

#include "nc2zarr/cli/commands.h"
#include "nc2zarr/mpi/mpi_comm.h"

int main(int argc, char** argv) {
  using namespace nc2zarr;
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  if (parsed.options->command == Command::kPlan) return RunPlan(*parsed.options);
  MpiSession mpi(&argc, &argv);
  return RunConvert(*parsed.options, mpi.world());
}
