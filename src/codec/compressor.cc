#include "nc2zarr/codec/compressor.h"

#include <zstd.h>

#include <charconv>

namespace nc2zarr {
namespace {

class NoCompressor final : public Compressor {
 public:
  Status Encode(std::span<const std::byte> in, ByteBuffer& out) override {
    out.assign(in.begin(), in.end());
    return Status::Ok();
  }
  Status Decode(std::span<const std::byte> in, std::vector<std::byte>& out) override {
    out.assign(in.begin(), in.end());
    return Status::Ok();
  }
};

// A single zstd frame with the content size in its header, which is what
// numcodecs' Zstd codec writes and needs to decode.
class ZstdCompressor final : public Compressor {
 public:
  explicit ZstdCompressor(int level) : cctx_(ZSTD_createCCtx()), dctx_(ZSTD_createDCtx()) {
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_contentSizeFlag, 1);
  }
  ~ZstdCompressor() override {
    ZSTD_freeCCtx(cctx_);
    ZSTD_freeDCtx(dctx_);
  }
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  Status Encode(std::span<const std::byte> in, ByteBuffer& out) override {
    out.resize(ZSTD_compressBound(in.size()));
    std::size_t n = ZSTD_compress2(cctx_, out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return Status::Ok();
  }

  Status Decode(std::span<const std::byte> in, std::vector<std::byte>& out) override {
    unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
      return DataLoss("not a zstd frame with a known content size");
    }
    out.resize(size);
    std::size_t n = ZSTD_decompressDCtx(dctx_, out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n) || n != size) return DataLoss("corrupt zstd frame");
    return Status::Ok();
  }

 private:
  ZSTD_CCtx* cctx_;
  ZSTD_DCtx* dctx_;
};

}  // namespace

Result<CompressorSpec> CompressorSpec::Parse(const std::string& given) {
  CompressorSpec spec;
  std::string text = given;
  if (auto plus = text.find("+shuffle"); plus != std::string::npos && plus + 8 == text.size()) {
    spec.shuffle = true;
    text = text.substr(0, plus);
  }
  if (text == "none") {
    spec.kind = Kind::kNone;
    spec.level = 0;
    return spec;
  }
  std::string name = text, level;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    name = text.substr(0, colon);
    level = text.substr(colon + 1);
  }
  if (name != "zstd") return UsageError("unknown compressor '" + text + "': use zstd[:LEVEL] or none");
  spec.kind = Kind::kZstd;
  if (!level.empty()) {
    auto [end, ec] = std::from_chars(level.data(), level.data() + level.size(), spec.level);
    if (ec != std::errc() || end != level.data() + level.size() || spec.level < ZSTD_minCLevel() ||
        spec.level > ZSTD_maxCLevel()) {
      return UsageError("bad zstd level '" + level + "': use an integer from " +
                        std::to_string(ZSTD_minCLevel()) + " to " + std::to_string(ZSTD_maxCLevel()));
    }
  }
  return spec;
}

std::string CompressorSpec::ToString() const {
  return (kind == Kind::kNone ? "none" : "zstd:" + std::to_string(level)) + (shuffle ? "+shuffle" : "");
}

std::unique_ptr<Compressor> MakeCompressor(const CompressorSpec& spec) {
  if (spec.kind == CompressorSpec::Kind::kNone) return std::make_unique<NoCompressor>();
  return std::make_unique<ZstdCompressor>(spec.level);
}

}  // namespace nc2zarr
