#include "nc2zarr/gcs/request_pacer.h"

#include <gtest/gtest.h>

#include "testing/fakes.h"

namespace nc2zarr {
namespace {

TEST(RequestPacer, SharesTheJobRateAndDoublesItOverTime) {
  fakes::FakeClock clock;
  RequestPacer pacer(PacerOptions{1000, std::chrono::seconds(1200), 100}, clock);
  EXPECT_DOUBLE_EQ(pacer.Rate(), 10.0);  // 1000 writes/s for 100 ranks
  clock.now += std::chrono::seconds(1200);
  EXPECT_DOUBLE_EQ(pacer.Rate(), 20.0);  // doubled after 20 minutes
}

TEST(RequestPacer, SpacesWritesAtTheRate) {
  fakes::FakeClock clock;
  RequestPacer pacer(PacerOptions{40, std::chrono::seconds(1200), 4}, clock);  // 10 writes/s here
  const auto start = clock.now;
  for (int i = 0; i < 21; ++i) pacer.Acquire();
  // The first write goes at once, then one every 0.1 s.
  auto elapsed = std::chrono::duration<double>(clock.now - start).count();
  EXPECT_NEAR(elapsed, 2.0, 0.05);
}

}  // namespace
}  // namespace nc2zarr
