#include "nc2zarr/base/interrupt.h"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "nc2zarr/http/retry.h"

namespace nc2zarr {
namespace {

using std::chrono::milliseconds;

class InterruptTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ResetInterruptForTesting();
    SetGracePeriod(std::chrono::seconds(30));
  }
};

TEST_F(InterruptTest, TheGracePeriodCountsFromTheSignalItself) {
  SetGracePeriod(milliseconds(100));
  EXPECT_FALSE(InterruptRequested());
  EXPECT_FALSE(AbandonRequested());
  RequestInterruptForTesting(SIGUSR1);
  EXPECT_TRUE(InterruptRequested());
  EXPECT_EQ(InterruptSignal(), SIGUSR1);
  EXPECT_FALSE(AbandonRequested());
  // Nobody has to notice the signal for the deadline to run.
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_TRUE(AbandonRequested());
  // A second signal does not move the deadline.
  RequestInterruptForTesting(SIGTERM);
  EXPECT_TRUE(AbandonRequested());
}

TEST_F(InterruptTest, ASecondSignalAbandonsAtOnceAndEachIsAnnouncedOnce) {
  SetGracePeriod(std::chrono::seconds(30));
  AnnounceInterrupts(true);
  testing::internal::CaptureStderr();
  RequestInterruptForTesting(SIGINT);
  const bool abandoned_after_one = AbandonRequested();
  RequestInterruptForTesting(SIGINT);
  const bool abandoned_after_two = AbandonRequested();
  RequestInterruptForTesting(SIGINT);
  std::string said = testing::internal::GetCapturedStderr();
  AnnounceInterrupts(false);
  EXPECT_FALSE(abandoned_after_one);
  EXPECT_TRUE(abandoned_after_two);
  EXPECT_EQ(said,
            "nc2zarr: stopping: no new chunks start, and writes in flight have up to 30 s to finish (Ctrl-C again to "
            "stop at once)\n"
            "nc2zarr: stopping at once: writes in flight are abandoned\n");
}

TEST_F(InterruptTest, ARepeatedSigtermKeepsTheGracePeriod) {
  // srun sends SIGTERM again while forcing a step down at a time limit.
  SetGracePeriod(std::chrono::seconds(30));
  RequestInterruptForTesting(SIGTERM);
  RequestInterruptForTesting(SIGTERM);
  RequestInterruptForTesting(SIGUSR1);
  EXPECT_FALSE(AbandonRequested());
  EXPECT_EQ(InterruptSignal(), SIGTERM);
  RequestInterruptForTesting(SIGINT);  // a person at the terminal
  EXPECT_TRUE(AbandonRequested());
}

TEST_F(InterruptTest, ABackoffEndsWithTheGracePeriod) {
  // A server that keeps answering 503 with a long Retry-After: the real
  // clock's sleep must end at the grace period, not after 20 s.
  SetGracePeriod(milliseconds(200));
  RetryOptions options;
  auto attempt = [](const std::string&) -> Result<HttpResponse> {
    HttpResponse r;
    r.status = 503;
    r.headers["retry-after"] = "20";
    return r;
  };
  std::thread signaller([] {
    std::this_thread::sleep_for(milliseconds(100));
    RequestInterruptForTesting(SIGUSR1);
  });
  const auto start = std::chrono::steady_clock::now();
  auto result = RetryLoop(options, RealClock(), nullptr, true, "uploading gs://b/o", attempt);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  signaller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInterrupted);
  EXPECT_NE(result.status().message().find("gs://b/o"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

}  // namespace
}  // namespace nc2zarr
