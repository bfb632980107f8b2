// RoomRateLimiter memory: buckets of rooms quiet for a second are dropped (and come back full,
// exactly as they would have refilled), so idle and deleted rooms do not hold buckets forever.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "messaging/rate_limiter.hpp"

namespace parley::messaging {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kStart = 1'700'000'000 * kSecond;

TEST(RoomRateLimiterSweep, IdleRoomsAreForgotten) {
    RoomRateLimiter limiter;
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(limiter.try_take("room-" + std::to_string(i), 5, kStart));
    EXPECT_EQ(limiter.size(), 1000u);
    EXPECT_EQ(limiter.sweep_idle(kStart + kSecond / 2), 0u);  // still refilling: kept
    EXPECT_EQ(limiter.sweep_idle(kStart + kSecond), 1000u);
    EXPECT_EQ(limiter.size(), 0u);
}

TEST(RoomRateLimiterSweep, BusyRoomsKeepTheirBucket) {
    RoomRateLimiter limiter;
    limiter.try_take("quiet", 5, kStart);
    limiter.try_take("busy", 5, kStart);
    limiter.try_take("busy", 5, kStart + kSecond - 1);
    EXPECT_EQ(limiter.sweep_idle(kStart + kSecond + 1), 1u);
    EXPECT_EQ(limiter.size(), 1u);
}

// Forgetting an idle bucket changes nothing a sender can see: it would have been full again.
TEST(RoomRateLimiterSweep, ASweptBucketAllowsWhatTheOldOneWould) {
    RoomRateLimiter swept, kept;
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(swept.try_take("r", 3, kStart));
        EXPECT_TRUE(kept.try_take("r", 3, kStart));
    }
    EXPECT_FALSE(swept.try_take("r", 3, kStart));
    EXPECT_FALSE(kept.try_take("r", 3, kStart));
    swept.sweep_idle(kStart + kSecond);
    int a = 0, b = 0;
    while (a < 100 && swept.try_take("r", 3, kStart + kSecond)) ++a;
    while (b < 100 && kept.try_take("r", 3, kStart + kSecond)) ++b;
    EXPECT_EQ(a, 3);
    EXPECT_EQ(a, b);
}

// A message that raced DeleteRoom re-creates the deleted room's bucket after forget(); the
// sweep removes it a second later instead of never.
TEST(RoomRateLimiterSweep, ABucketRecreatedAfterForgetIsSwept) {
    RoomRateLimiter limiter;
    limiter.try_take("deleted", 5, kStart);
    limiter.forget("deleted");
    limiter.try_take("deleted", 5, kStart + 1);
    EXPECT_EQ(limiter.size(), 1u);
    limiter.sweep_idle(kStart + 1 + kSecond);
    EXPECT_EQ(limiter.size(), 0u);
}

}  // namespace
}  // namespace parley::messaging
