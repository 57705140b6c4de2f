// nc2zarr: parse the command line, start MPI for convert, run the command.
#include <malloc.h>

#include <cstdio>

#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/cli/commands.h"
#include "nc2zarr/mpi/mpi_comm.h"

int main(int argc, char** argv) {
  using namespace nc2zarr;
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  switch (parsed.options->command) {
    case Command::kPlan: return RunPlan(*parsed.options);
    case Command::kList: return RunList(*parsed.options);
    case Command::kRemove: return RunRemove(*parsed.options);
    case Command::kStatus: return RunStatus(*parsed.options);
    case Command::kAuthCheck: return RunAuthCheck(*parsed.options);
    case Command::kConvert: break;
  }
  // Chunk-sized buffers come from mmap and go back to the system when freed.
  // glibc otherwise raises its mmap threshold after the first such free and
  // serves the next ones from a heap it trims only past twice that size:
  // with 30 MB chunks a rank kept ~50 MB of freed memory resident. Fixing
  // the threshold turns that adjustment off; recycled buffers keep the
  // fast path free of fresh page faults.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  InstallInterruptHandlers();  // before MPI starts its threads, so they inherit nothing else
  MpiSession mpi(&argc, &argv);
  return RunConvert(*parsed.options, mpi.world());
}
