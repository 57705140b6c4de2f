// A chunk's bytes as stored: the variable's filters (byte shuffle when
// asked, for numbers wider than a byte), then the compressor. The same
// choice produces the filters in .zarray, so readers undo exactly this.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "nc2zarr/codec/compressor.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

// Zarr's "filters" for a variable: null, vlen-utf8 or shuffle.
nlohmann::json FiltersJson(const CompressorSpec& spec, const PlannedVariable& variable);

class ChunkEncoder {
 public:
  explicit ChunkEncoder(const CompressorSpec& spec) : spec_(spec), compressor_(MakeCompressor(spec)) {}
  // raw is in the layout ChunkReader produces; out is replaced.
  Status Encode(const PlannedVariable& variable, std::span<const std::byte> raw, ByteBuffer& out);

 private:
  CompressorSpec spec_;
  std::unique_ptr<Compressor> compressor_;
  std::vector<std::byte> shuffled_;
};

}  // namespace nc2zarr
