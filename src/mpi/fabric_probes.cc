#include "nc2zarr/mpi/fabric_probes.h"

#include <mpi.h>

#include <cstdlib>
#include <system_error>

namespace nc2zarr {
namespace {

// A directory with at least one entry (a device class with a device in it).
bool HasEntries(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  return !ec && it != std::filesystem::directory_iterator();
}

bool HasDeviceNamed(const std::filesystem::path& dev, const std::string& prefix) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dev, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

bool NodeHasFabricDevice(const std::filesystem::path& root) {
  if (HasEntries(root / "sys/class/infiniband") || HasEntries(root / "sys/class/cxi")) return true;
  const std::filesystem::path dev = root / "dev";
  for (const char* prefix : {"hfi1", "ipath", "cxi", "kgni"}) {
    if (HasDeviceNamed(dev, prefix)) return true;
  }
  return false;
}

std::optional<std::string> FabricMtlExclusion(const std::function<const char*(const char*)>& getenv,
                                              bool has_fabric_device) {
  // A choice made with `mpirun --mca mtl/pml ...` or in the environment
  // reaches the rank as these variables: it is the user's, keep it.
  for (const char* chosen : {"OMPI_MCA_mtl", "OMPI_MCA_pml"}) {
    if (getenv(chosen) != nullptr) return std::nullopt;
  }
  if (has_fabric_device) return std::nullopt;
  return std::string(kSkipFabricMtls);
}

void SkipAbsentFabricProbes() {
#ifdef OPEN_MPI
  auto value = FabricMtlExclusion([](const char* name) { return std::getenv(name); }, NodeHasFabricDevice());
  if (value) setenv("OMPI_MCA_mtl", value->c_str(), 0);
#endif
}

}  // namespace nc2zarr
