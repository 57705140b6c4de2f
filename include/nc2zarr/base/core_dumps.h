// A core file is the process's memory: once credentials are read, it holds
// access tokens, refresh tokens and private keys, and HPC sites often write
// cores to shared file systems. A process about to hold secrets writes none.
#pragma once

namespace nc2zarr {

// Sets the soft RLIMIT_CORE to 0 for the rest of the process. (Not
// PR_SET_DUMPABLE: it would also refuse Open MPI's single-copy transfers
// between ranks, which read a peer's memory as ptrace does.)
void KeepSecretsOutOfCoreDumps();

}  // namespace nc2zarr
