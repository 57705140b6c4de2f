// A fast 64-bit content fingerprint, for telling whether two arrays (or two
// plans) hold the same bytes. Not cryptographic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace nc2zarr {

class Fingerprint {
 public:
  void Add(std::span<const std::byte> data);
  void Add(std::string_view text) { Add(std::as_bytes(std::span(text.data(), text.size()))); }
  std::uint64_t value() const;

 private:
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
  std::uint64_t length_ = 0;
  std::uint64_t pending_ = 0;   // bytes not yet forming a full word
  unsigned pending_count_ = 0;
};

}  // namespace nc2zarr
