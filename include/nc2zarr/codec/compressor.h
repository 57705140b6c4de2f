// Bytes-to-bytes compression of Zarr chunks.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nc2zarr/base/byte_buffer.h"
#include "nc2zarr/base/status.h"

namespace nc2zarr {

// What the user asked for with --compressor.
struct CompressorSpec {
  enum class Kind { kNone, kZstd };
  Kind kind = Kind::kZstd;
  int level = 1;         // numcodecs' default
  bool shuffle = false;  // numcodecs' byte shuffle before compressing (--shuffle)

  // "zstd", "zstd:3", "none", each optionally followed by "+shuffle".
  static Result<CompressorSpec> Parse(const std::string& text);
  std::string ToString() const;
  bool operator==(const CompressorSpec&) const = default;
};

class Compressor {
 public:
  virtual ~Compressor() = default;
  // Replaces out with the encoded form of in.
  virtual Status Encode(std::span<const std::byte> in, ByteBuffer& out) = 0;
  virtual Status Decode(std::span<const std::byte> in, std::vector<std::byte>& out) = 0;
};

// One instance per thread: it keeps its compression context between chunks.
std::unique_ptr<Compressor> MakeCompressor(const CompressorSpec& spec);

}  // namespace nc2zarr
