#include "nc2zarr/http/retry.h"

#include <gtest/gtest.h>

#include "nc2zarr/base/log.h"
#include "testing/fakes.h"

namespace nc2zarr {
namespace {

using fakes::FakeClock;
using fakes::Reply;

RetryOptions Fast() {
  RetryOptions o;
  o.max_attempts = 5;
  o.initial_backoff = std::chrono::milliseconds(100);
  o.max_backoff = std::chrono::milliseconds(1000);
  o.max_total = std::chrono::seconds(60);
  return o;
}

// Runs the loop over scripted results; returns the final result.
Result<HttpResponse> RunLoop(std::deque<Result<HttpResponse>> script, FakeClock& clock, bool idempotent = true,
                         const RetryOptions& options = Fast(), Credentials* credentials = nullptr,
                         std::vector<std::string>* auth_seen = nullptr, int* calls = nullptr) {
  return RetryLoop(options, clock, credentials, idempotent, "uploading gs://b/o",
                   [&](const std::string& authorization) -> Result<HttpResponse> {
                     if (auth_seen) auth_seen->push_back(authorization);
                     if (calls) ++*calls;
                     auto next = std::move(script.front());
                     script.pop_front();
                     return next;
                   });
}

TEST(RetryLoop, RetriesEveryRetryableStatusThenSucceeds) {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    FakeClock clock;
    int calls = 0;
    auto r = RunLoop({Reply(status), Reply(status), Reply(200)}, clock, true, Fast(), nullptr, nullptr, &calls);
    ASSERT_TRUE(r.ok()) << status;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(clock.sleeps.size(), 2u);
  }
}

TEST(RetryLoop, SaysWithVerboseLoggingWhyItWaits) {
  FakeClock clock;
  ConfigureLog(LogLevel::kDebug, 0, 1);
  testing::internal::CaptureStderr();
  auto r = RunLoop({Reply(503), Reply(200)}, clock);
  std::string said = testing::internal::GetCapturedStderr();
  ConfigureLog(LogLevel::kInfo, 0, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(said.find("uploading gs://b/o: attempt 1 failed (the server answered 503); retrying in"),
            std::string::npos)
      << said;
}

TEST(RetryLoop, RetriesTransportFailures) {
  FakeClock clock;
  auto r = RunLoop({fakes::Reset(), Status(ErrorCode::kUnavailable, "timeout"), Reply(200)}, clock);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(clock.sleeps.size(), 2u);
}

TEST(RetryLoop, ReturnsPermanentErrorsAtOnce) {
  for (long status : {400L, 403L, 404L, 412L}) {
    FakeClock clock;
    auto r = RunLoop({Reply(status), Reply(200)}, clock);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
    EXPECT_TRUE(clock.sleeps.empty());
  }
}

TEST(RetryLoop, HonoursRetryAfter) {
  FakeClock clock;
  auto r = RunLoop({Reply(429, "", {{"retry-after", "7"}}), Reply(200)}, clock);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(clock.sleeps.size(), 1u);
  EXPECT_GE(clock.sleeps[0], std::chrono::milliseconds(7000));
}

TEST(RetryLoop, GivesUpAfterMaxAttempts) {
  FakeClock clock;
  std::deque<Result<HttpResponse>> script(10, Reply(503));
  auto r = RunLoop(script, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().find("uploading gs://b/o: gave up after 5 attempt(s)"), std::string::npos);
  EXPECT_EQ(clock.sleeps.size(), 4u);
}

TEST(RetryLoop, GivesUpWhenTheTimeBudgetIsSpent) {
  FakeClock clock;
  RetryOptions o = Fast();
  o.max_attempts = 100;
  o.max_total = std::chrono::seconds(2);
  std::deque<Result<HttpResponse>> script(100, Reply(503, "", {{"retry-after", "1"}}));
  auto r = RunLoop(script, clock, true, o);
  ASSERT_FALSE(r.ok());
  EXPECT_LE(clock.now.time_since_epoch(), std::chrono::seconds(2));
}

TEST(RetryLoop, TriesANonIdempotentRequestOnce) {
  FakeClock clock;
  int calls = 0;
  auto r = RunLoop({Reply(503), Reply(200)}, clock, false, Fast(), nullptr, nullptr, &calls);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(calls, 1);
  auto e = RunLoop({fakes::Reset(), Reply(200)}, clock, false);
  EXPECT_FALSE(e.ok());
}

TEST(RetryLoop, RefreshesCredentialsOnceOnA401) {
  FakeClock clock;
  fakes::CountingCredentials credentials;
  std::vector<std::string> seen;
  auto r = RunLoop({Reply(401), Reply(200)}, clock, true, Fast(), &credentials, &seen);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(seen, (std::vector<std::string>{"Bearer token-0", "Bearer token-1"}));
  EXPECT_TRUE(clock.sleeps.empty());
  // A second 401 in a row is the caller's to report.
  auto again = RunLoop({Reply(401), Reply(401), Reply(200)}, clock, true, Fast(), &credentials);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 401);
}

TEST(RetryLoop, AnErrorBodyNeverCarriesTheRequestsToken) {
  // A server (or proxy) that quotes the token back, without "Bearer".
  FakeClock clock;
  fakes::CountingCredentials credentials;
  HttpResponse echo = Reply(403);
  echo.body = "{\"error\": {\"message\": \"denied: token-0 and token-1\"}}";
  auto r = RunLoop({Reply(401), echo}, clock, true, Fast(), &credentials);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "{\"error\":{\"message\":\"denied: token-0 and [redacted]\"}}");  // JSON as decoded

  // Not only errors: a redirect's body goes into a message as well.
  fakes::CountingCredentials again;
  HttpResponse moved = Reply(302);
  moved.body = "token-0 moved";
  r = RunLoop({moved}, clock, true, Fast(), &again);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "[redacted] moved");
}

TEST(Backoff, FullJitterUnderAGrowingCappedCeiling) {
  RetryOptions o = Fast();
  Backoff backoff(o, 42);
  double ceiling = 100;
  bool any_nonzero = false;
  for (int i = 0; i < 20; ++i) {
    auto wait = backoff.Next();
    EXPECT_GE(wait.count(), 0);
    EXPECT_LE(wait.count(), std::min(ceiling, 1000.0));
    any_nonzero = any_nonzero || wait.count() > 0;
    ceiling *= 2;
  }
  EXPECT_TRUE(any_nonzero);
}

}  // namespace
}  // namespace nc2zarr
