// Open MPI's start-up probes for high-speed fabrics (Omni-Path, InfiniBand,
// Slingshot...) through its MTL components PSM, PSM2 and OFI. On a node with
// none of that hardware they cannot be chosen, yet their libraries poll for
// it: MPI_Init took 0.23 s instead of 0.03 s on a 2-core VM (docs/hpc.md).
// Before MPI_Init, nc2zarr excludes them on such nodes, unless the user or
// the launcher chose Open MPI's MTL or PML.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace nc2zarr {

// The value nc2zarr gives OMPI_MCA_mtl when it skips the probes.
inline constexpr const char* kSkipFabricMtls = "^psm,psm2,ofi";

// Whether the node under `root` has a device node or class of a fabric an
// MTL could use: verbs (InfiniBand, RoCE, iWARP, EFA, Omni-Path), Omni-Path
// or QLogic PSM, HPE Slingshot or Cray Aries.
bool NodeHasFabricDevice(const std::filesystem::path& root = "/");

// The OMPI_MCA_mtl value to set, or nothing to leave Open MPI as it is.
std::optional<std::string> FabricMtlExclusion(const std::function<const char*(const char*)>& getenv,
                                              bool has_fabric_device);

// Applies FabricMtlExclusion to this process's environment (Open MPI only).
void SkipAbsentFabricProbes();

}  // namespace nc2zarr
