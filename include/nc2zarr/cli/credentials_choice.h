// The credentials the command line asks for, for a gs:// destination, and
// the first token shared by every rank of a job.
#pragma once

#include "nc2zarr/auth/resolve_credentials.h"
#include "nc2zarr/cli/options.h"
#include "nc2zarr/mpi/comm.h"

namespace nc2zarr {

// As Google's client libraries do, STORAGE_EMULATOR_HOST without an explicit
// --token-file or --credentials means no credentials at all.
Result<ResolvedCredentials> ChooseCredentials(const AuthOptions& options, bool warn = true);

// Collective: every rank resolves the same source; rank 0 fetches the first
// token and hands it to the others, so a job of thousands of ranks asks the
// token endpoint once at start. Rank 0 reports a failure; every rank gets it.
Result<ResolvedCredentials> ChooseCredentialsForJob(const AuthOptions& options, Comm& comm);

}  // namespace nc2zarr
