// Decoding one file's packed values for a variable stored unpacked: masked
// values become NaN, the rest are scaled and offset, step by step in the
// types xarray uses, so the stored values are the ones open_mfdataset shows.
#pragma once

#include <cstddef>

#include "nc2zarr/model/data_type.h"
#include "nc2zarr/plan/packing.h"

namespace nc2zarr {

// Decodes count values of type raw from in into out, as type stored
// (kFloat32 or kFloat64).
void UnpackValues(DataType raw, const Packing& packing, DataType stored, const std::byte* in, std::size_t count,
                  std::byte* out);

}  // namespace nc2zarr
