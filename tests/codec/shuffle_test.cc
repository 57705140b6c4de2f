#include "nc2zarr/codec/shuffle.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(Shuffle, GroupsTheNthByteOfEveryElementAsNumcodecsDoes) {
  std::vector<std::byte> out, back;
  auto in = Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9});  // two 4-byte elements and one trailing byte
  ShuffleBytes(in, 4, out);
  EXPECT_EQ(out, Bytes({1, 5, 2, 6, 3, 7, 4, 8, 9}));
  UnshuffleBytes(out, 4, back);
  EXPECT_EQ(back, in);
}

TEST(Shuffle, RoundTripsEveryElementSize) {
  std::vector<std::byte> in(1000), out, back;
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::byte>(i * 7);
  for (std::size_t size : {1u, 2u, 4u, 8u}) {
    ShuffleBytes(in, size, out);
    UnshuffleBytes(out, size, back);
    EXPECT_EQ(back, in) << size;
  }
}

// Against the definition, for lengths around the 32-element blocks of the
// vector code and with trailing bytes past the last whole element.
TEST(Shuffle, UnshufflesAsDefinedAtEveryLength) {
  for (std::size_t size : {2u, 4u, 8u}) {
    for (std::size_t n : {0u, 1u, 31u, 32u, 33u, 64u, 95u, 1000u, 4099u}) {
      for (std::size_t extra : {0u, 3u}) {
        if (extra >= size) continue;
        std::vector<std::byte> in(n * size + extra);
        for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::byte>(i * 131 + i / 256);
        std::vector<std::byte> out(in.size());
        UnshuffleInto(in, size, out.data());
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t j = 0; j < size; ++j) {
            ASSERT_EQ(out[i * size + j], in[j * n + i]) << "size " << size << " n " << n << " element " << i;
          }
        }
        for (std::size_t k = n * size; k < in.size(); ++k) ASSERT_EQ(out[k], in[k]);
      }
    }
  }
}

}  // namespace
}  // namespace nc2zarr
