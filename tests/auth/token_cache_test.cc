#include "nc2zarr/auth/token_cache.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "auth/auth_test_support.h"
#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

using namespace std::chrono_literals;
using testing_auth::FakeWallClock;

// Hands out "t1", "t2", ... with a fixed lifetime, or fails when told.
class CountingSource final : public TokenSource {
 public:
  explicit CountingSource(std::optional<std::chrono::seconds> lifetime) : lifetime_(lifetime) {}
  Result<FetchedToken> Fetch() override {
    ++fetches;
    if (fail) return Status(ErrorCode::kUnavailable, "the token endpoint is down");
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    return FetchedToken{"t" + std::to_string(fetches.load()), lifetime_};
  }
  std::string Describe() const override { return "counting source"; }

  std::atomic<int> fetches{0};
  std::atomic<bool> fail{false};
  std::chrono::milliseconds delay{0};

 private:
  std::optional<std::chrono::seconds> lifetime_;
};

struct Fixture {
  explicit Fixture(std::optional<std::chrono::seconds> lifetime, RefreshPolicy policy = {}) {
    auto owned = std::make_unique<CountingSource>(lifetime);
    source = owned.get();
    policy.now = wall.Function();
    if (!policy.seed) policy.seed = 42;
    credentials = std::make_unique<CachingCredentials>(std::move(owned), policy);
  }
  std::string Header() {
    auto header = credentials->AuthorizationHeader();
    return header.ok() ? *header : "error: " + header.status().message();
  }
  FakeWallClock wall;
  CountingSource* source;
  std::unique_ptr<CachingCredentials> credentials;
};

RefreshPolicy NoJitter() {
  RefreshPolicy policy;
  policy.max_jitter = 0s;
  return policy;
}

TEST(CachingCredentials, FetchesOnceAndReusesTheToken) {
  Fixture f(3600s);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(30min);
  EXPECT_EQ(f.Header(), "Bearer t1");
  EXPECT_EQ(f.source->fetches, 1);
  EXPECT_EQ(f.credentials->Describe(), "counting source");
}

TEST(CachingCredentials, RefreshesFiveMinutesAheadOfExpiry) {
  Fixture f(3600s, NoJitter());
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(3600s - 300s - 1ms);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(2ms);
  EXPECT_EQ(f.Header(), "Bearer t2");
  EXPECT_EQ(f.source->fetches, 2);
}

// When does a cache with this seed refresh a one-hour token? (seconds after the fetch)
long long RefreshMoment(std::uint64_t seed) {
  RefreshPolicy policy;
  policy.seed = seed;
  Fixture f(3600s, policy);
  EXPECT_EQ(f.Header(), "Bearer t1");
  for (long long s = 1;; ++s) {
    f.wall.Advance(1s);
    if (f.Header() == "Bearer t2") return s;
  }
}

TEST(CachingCredentials, JitterSpreadsRefreshesOverTheWindow) {
  std::set<long long> moments;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    long long at = RefreshMoment(seed);
    // Between margin + max_jitter (540 s) and margin (300 s) before expiry.
    EXPECT_GE(at, 3600 - 540);
    EXPECT_LE(at, 3600 - 300);
    moments.insert(at);
  }
  EXPECT_GT(moments.size(), 10u);  // not all ranks in the same second
}

TEST(CachingCredentials, ShortLivedTokensRefreshAtHalfTheirLifetime) {
  Fixture f(2s);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(999ms);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(2ms);
  EXPECT_EQ(f.Header(), "Bearer t2");
}

TEST(CachingCredentials, InvalidateFetchesANewTokenOnTheNextRequest) {
  Fixture f(3600s);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.credentials->Invalidate();
  EXPECT_EQ(f.Header(), "Bearer t2");
  EXPECT_EQ(f.Header(), "Bearer t2");
}

TEST(CachingCredentials, TokenOfUnknownExpiryIsRefetchedOnlyAfterInvalidate) {
  Fixture f(std::nullopt);
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(std::chrono::hours(24 * 30));
  EXPECT_EQ(f.Header(), "Bearer t1");
  EXPECT_FALSE(f.credentials->RemainingLifetime());
  f.credentials->Invalidate();
  EXPECT_EQ(f.Header(), "Bearer t2");
}

TEST(CachingCredentials, AFailedFetchWithoutATokenIsAnError) {
  Fixture f(3600s);
  f.source->fail = true;
  auto header = f.credentials->AuthorizationHeader();
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().message(), "the token endpoint is down");
  f.source->fail = false;
  EXPECT_EQ(f.Header(), "Bearer t2");  // the failed fetch counted as t1
}

TEST(CachingCredentials, AFailedEarlyRefreshKeepsTheTokenAndTriesAgainLater) {
  Fixture f(3600s, NoJitter());
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(3400s);  // inside the refresh window, 200 s left
  f.source->fail = true;
  ConfigureLog(LogLevel::kWarning, 0, 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(f.Header(), "Bearer t1");
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("could not refresh the access token ahead of expiry"), std::string::npos) << log;
  EXPECT_EQ(f.source->fetches, 2);
  f.wall.Advance(10s);
  EXPECT_EQ(f.Header(), "Bearer t1");  // no new attempt before 30 s
  EXPECT_EQ(f.source->fetches, 2);
  f.source->fail = false;
  f.wall.Advance(21s);
  EXPECT_EQ(f.Header(), "Bearer t3");
}

TEST(CachingCredentials, AnExpiredTokenIsNeverSent) {
  Fixture f(3600s, NoJitter());
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(3595s);
  f.source->fail = true;
  EXPECT_EQ(f.Header(), "error: the token endpoint is down");
}

TEST(CachingCredentials, SeededTokenIsUsedWithoutFetchingAndCurrentGivesItBack) {
  Fixture f(3600s, NoJitter());
  EXPECT_FALSE(f.credentials->Current());
  const auto expiry = f.wall.Now() + 1800s;
  f.credentials->Seed(AccessToken{"from-rank-0", expiry});
  EXPECT_EQ(f.Header(), "Bearer from-rank-0");
  EXPECT_EQ(f.source->fetches, 0);
  ASSERT_TRUE(f.credentials->Current());
  EXPECT_EQ(f.credentials->Current()->token, "from-rank-0");
  EXPECT_EQ(f.credentials->Current()->expiry, expiry);
  EXPECT_EQ(f.credentials->RemainingLifetime(), 1800s);
  f.wall.Advance(1500s + 1ms);  // 5 min before the seeded token's expiry
  EXPECT_EQ(f.Header(), "Bearer t1");
  EXPECT_EQ(f.credentials->RemainingLifetime(), 3600s);
}

TEST(CachingCredentials, AnEmptySeedIsIgnored) {
  Fixture f(3600s);
  f.credentials->Seed(AccessToken{"", f.wall.Now() + 1800s});
  EXPECT_FALSE(f.credentials->Current());
  EXPECT_EQ(f.Header(), "Bearer t1");
}

TEST(CachingCredentials, ThreadsShareOneFetch) {
  Fixture f(3600s);
  f.source->delay = 50ms;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { good += f.Header() == "Bearer t1"; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good, 8);
  EXPECT_EQ(f.source->fetches, 1);
}

TEST(CachingCredentials, DuringAnEarlyRefreshOtherThreadsKeepTheCurrentToken) {
  Fixture f(3600s, NoJitter());
  EXPECT_EQ(f.Header(), "Bearer t1");
  f.wall.Advance(3400s);
  f.source->delay = 300ms;
  std::thread refresher([&] { EXPECT_EQ(f.Header(), "Bearer t2"); });
  while (f.source->fetches < 2) std::this_thread::yield();
  EXPECT_EQ(f.Header(), "Bearer t1");  // does not wait for the refresh
  refresher.join();
  EXPECT_EQ(f.Header(), "Bearer t2");
}

}  // namespace
}  // namespace nc2zarr
