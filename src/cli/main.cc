// nc2zarr: parse the command line, start MPI for convert, run the command.
#include <cstdio>
#include <cstdlib>

#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/cli/commands.h"
#include "nc2zarr/mpi/mpi_comm.h"

int main(int argc, char** argv) {
  using namespace nc2zarr;
  const auto environment = [](const char* name) { return std::getenv(name); };
  // Several ranks or tasks (mpirun, srun) print and act through the first.
  const bool first_rank = LauncherRank(environment) == 0;
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (!parsed.options) {
    if (first_rank) {
      std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    }
    return parsed.exit_code;
  }
  // plan, ls, rm, status and auth check act once.
  if (parsed.options->command != Command::kConvert && !first_rank) return 0;
  switch (parsed.options->command) {
    case Command::kPlan: return RunPlan(*parsed.options);
    case Command::kList: return RunList(*parsed.options);
    case Command::kRemove: return RunRemove(*parsed.options);
    case Command::kStatus: return RunStatus(*parsed.options);
    case Command::kAuthCheck: return RunAuthCheck(*parsed.options);
    case Command::kConvert: break;
  }
  if (int tasks = NonMpiSrunTasks(environment); tasks > 0) {
    // Each task would convert the whole dataset into the same store.
    if (first_rank) {
      std::fprintf(stderr,
                   "nc2zarr: error: srun started %d tasks that are not MPI ranks (no PMIx or PMI in their "
                   "environment), and each would convert everything; launch with `srun --mpi=pmix` (see `srun "
                   "--mpi=list`) or mpirun, or start one task\n",
                   tasks);
    }
    return 2;
  }
  InstallInterruptHandlers();  // before MPI starts its threads, so they inherit nothing else
  MpiSession mpi(&argc, &argv);
  return RunConvert(*parsed.options, mpi.world());
}
