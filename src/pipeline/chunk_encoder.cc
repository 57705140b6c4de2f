#include "nc2zarr/pipeline/chunk_encoder.h"

#include "nc2zarr/codec/shuffle.h"

namespace nc2zarr {
namespace {

bool Shuffles(const CompressorSpec& spec, const PlannedVariable& v) {
  return spec.shuffle && (IsInteger(v.type) || IsFloat(v.type)) && SizeOf(v.type) > 1;
}

}  // namespace

nlohmann::json FiltersJson(const CompressorSpec& spec, const PlannedVariable& v) {
  if (v.type == DataType::kString) return nlohmann::json::array({{{"id", "vlen-utf8"}}});
  if (Shuffles(spec, v)) return nlohmann::json::array({{{"elementsize", SizeOf(v.type)}, {"id", "shuffle"}}});
  return nullptr;
}

Status ChunkEncoder::Encode(const PlannedVariable& v, std::span<const std::byte> raw, ByteBuffer& out) {
  if (!Shuffles(spec_, v)) return compressor_->Encode(raw, out);
  ShuffleBytes(raw, SizeOf(v.type), shuffled_);
  return compressor_->Encode(shuffled_, out);
}

}  // namespace nc2zarr
