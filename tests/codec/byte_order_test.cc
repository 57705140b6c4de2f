#include "nc2zarr/codec/byte_order.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace nc2zarr {
namespace {

// Every width, at unaligned starts and with tails shorter than a vector.
TEST(SwapBytesInPlace, ReversesEachElement) {
  for (std::size_t size : {1u, 2u, 4u, 8u}) {
    for (std::size_t count : {0u, 1u, 3u, 7u, 8u, 33u, 1000u}) {
      for (std::size_t shift : {0u, 1u, 5u}) {
        std::vector<std::byte> buffer(shift + count * size);
        for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<std::byte>(i * 37 + size);
        const std::vector<std::byte> before = buffer;
        SwapBytesInPlace(buffer.data() + shift, count, size);
        for (std::size_t e = 0; e < count; ++e) {
          for (std::size_t b = 0; b < size; ++b) {
            ASSERT_EQ(buffer[shift + e * size + b], before[shift + e * size + (size - 1 - b)])
                << "size " << size << " count " << count << " shift " << shift << " element " << e;
          }
        }
        for (std::size_t i = 0; i < shift; ++i) ASSERT_EQ(buffer[i], before[i]);  // nothing before it touched
      }
    }
  }
}

TEST(SwapBytesInPlace, TurnsBigEndianFloatsIntoNumbers) {
  const unsigned char big_endian[] = {0x40, 0x49, 0x0f, 0xdb, 0xc2, 0xc8, 0x00, 0x00};  // 3.14159274, -100
  std::byte bytes[8];
  std::memcpy(bytes, big_endian, 8);
  SwapBytesInPlace(bytes, 2, 4);
  float values[2];
  std::memcpy(values, bytes, 8);
  EXPECT_FLOAT_EQ(values[0], 3.14159274f);
  EXPECT_FLOAT_EQ(values[1], -100.0f);
}

}  // namespace
}  // namespace nc2zarr
