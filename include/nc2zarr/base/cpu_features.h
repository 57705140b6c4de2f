// What the CPU offers beyond the x86-64 baseline, asked once; the fast
// paths that need it (CRC32C, byte swap, unshuffle) fall back without it.
#pragma once

namespace nc2zarr {

bool CpuHasSse42();
bool CpuHasAvx2();

}  // namespace nc2zarr
