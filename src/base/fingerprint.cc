#include "nc2zarr/base/fingerprint.h"

#include <cstring>

namespace nc2zarr {
namespace {

std::uint64_t Mix(std::uint64_t h, std::uint64_t word) {
  h ^= word;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h;
}

}  // namespace

void Fingerprint::Add(std::span<const std::byte> data) {
  length_ += data.size();
  std::size_t i = 0;
  while (i < data.size() && pending_count_ != 0) {
    pending_ |= static_cast<std::uint64_t>(data[i++]) << (8 * pending_count_);
    if (++pending_count_ == 8) {
      state_ = Mix(state_, pending_);
      pending_ = 0;
      pending_count_ = 0;
    }
  }
  for (; i + 8 <= data.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data.data() + i, 8);
    state_ = Mix(state_, word);
  }
  for (; i < data.size(); ++i) {
    pending_ |= static_cast<std::uint64_t>(data[i]) << (8 * pending_count_);
    ++pending_count_;
  }
}

std::uint64_t Fingerprint::value() const {
  std::uint64_t h = state_;
  if (pending_count_ != 0) h = Mix(h, pending_);
  return Mix(h, length_);
}

}  // namespace nc2zarr
