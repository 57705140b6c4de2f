// The scan shared by every rank: with thousands of input files on a
// parallel file system, opening each one is most of the scan, and one rank
// doing it all keeps the others idle (and every rerun pays it again).
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/mpi/comm.h"
#include "nc2zarr/pipeline/scan.h"

namespace nc2zarr {

// Collective. Rank r scans files r, r + size, ...; rank 0 receives every
// scan, in input order, or the error of the first file (in input order)
// that failed, as a scan on one rank would report it. Other ranks get an
// empty list.
Result<std::vector<ScannedFile>> ScanAcrossRanks(const std::vector<std::string>& paths, Comm& comm);

// One process, no MPI (the plan command): expands the inputs, scans them
// all here and plans.
Result<Plan> ScanAndPlan(const std::vector<std::string>& inputs, const PlanRequest& request);

// A scan as text and back, every value bit for bit (what crosses ranks).
std::string ScannedFileToJson(const ScannedFile& file);
Result<ScannedFile> ScannedFileFromJson(const std::string& text);

}  // namespace nc2zarr
