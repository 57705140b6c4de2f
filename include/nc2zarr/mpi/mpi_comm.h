// Comm over MPI. The job's main creates one MpiSession (MPI_Init_thread /
// MPI_Finalize) and passes the Comm it gives to the library; a process not
// started by an MPI launcher gets a one-rank Comm without MPI.
#pragma once

#include <functional>
#include <memory>

#include "nc2zarr/mpi/comm.h"

namespace nc2zarr {

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  Comm& world() { return *world_; }
  // Stops every rank at once (MPI_Abort); for fatal errors outside the
  // normal error path.
  [[noreturn]] void Abort(int exit_code);

 private:
  std::unique_ptr<Comm> world_;
  bool mpi_initialized_ = false;  // false: started without a launcher, one rank without MPI
};

// Whether the environment is that of a rank an MPI launcher started.
bool StartedByAnMpiLauncher(const std::function<const char*(const char*)>& getenv);
// How many tasks srun started in this step when they are not MPI ranks
// (srun --mpi=none, or a site default without PMI): each would run the
// whole job on its own. 0 when started otherwise, or as one task.
int NonMpiSrunTasks(const std::function<const char*(const char*)>& getenv);
// This process's rank (or srun task) as its launcher set it (0 without
// one), known before MPI starts: what every rank would print or do the
// same, only rank 0 prints or does.
int LauncherRank(const std::function<const char*(const char*)>& getenv);

}  // namespace nc2zarr
