// TokenBucket and RoomRateLimiter: the room's maximumMessageRatePerSecond (all senders together)
// and the fixed per-connection request quota.
#include "messaging/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace parley::messaging {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kStart = 1'700'000'000 * kSecond;  // an arbitrary wall-clock instant

int take_all(TokenBucket& b, double rate, std::int64_t now) {
    int n = 0;
    while (n < 1000 && b.try_take(rate, now)) ++n;
    return n;
}

TEST(TokenBucket, StartsFullWithOneSecondOfBurst) {
    TokenBucket b;
    EXPECT_EQ(take_all(b, 10, kStart), 10);
    EXPECT_FALSE(b.try_take(10, kStart));
}

TEST(TokenBucket, BurstEqualsRateForSmallRates) {
    TokenBucket one;
    EXPECT_EQ(take_all(one, 1, kStart), 1);
    TokenBucket two;
    EXPECT_EQ(take_all(two, 2, kStart), 2);
    TokenBucket hundred;
    EXPECT_EQ(take_all(hundred, 100, kStart), 100);
}

TEST(TokenBucket, RefillsInProportionToElapsedTime) {
    TokenBucket b;
    ASSERT_EQ(take_all(b, 10, kStart), 10);
    // 10/s: one token every 100 ms.
    EXPECT_FALSE(b.try_take(10, kStart + 50'000'000));
    EXPECT_TRUE(b.try_take(10, kStart + 100'000'000));
    EXPECT_FALSE(b.try_take(10, kStart + 100'000'000));
    EXPECT_EQ(take_all(b, 10, kStart + 600'000'000), 5);
}

TEST(TokenBucket, RefillIsCappedAtOneSecondWorth) {
    TokenBucket b;
    ASSERT_EQ(take_all(b, 5, kStart), 5);
    // A long quiet spell does not bank more than the rate.
    EXPECT_EQ(take_all(b, 5, kStart + 60 * kSecond), 5);
}

TEST(TokenBucket, ClockGoingBackwardsGivesNothingExtra) {
    TokenBucket b;
    ASSERT_EQ(take_all(b, 3, kStart), 3);
    EXPECT_FALSE(b.try_take(3, kStart - kSecond));
    // And the refill continues from the latest instant seen, not the earlier one.
    EXPECT_EQ(take_all(b, 3, kStart + kSecond), 3);
}

TEST(TokenBucket, LoweredRateAppliesAtOnce) {
    TokenBucket b;
    ASSERT_TRUE(b.try_take(100, kStart));  // 99 left at 100/s
    // The room limit drops to 2/s: the bucket may hold at most 2 now.
    EXPECT_EQ(take_all(b, 2, kStart), 2);
    EXPECT_FALSE(b.try_take(2, kStart + 100'000'000));
    EXPECT_TRUE(b.try_take(2, kStart + 500'000'000));
}

TEST(TokenBucket, RaisedRateRefillsFaster) {
    TokenBucket b;
    ASSERT_EQ(take_all(b, 1, kStart), 1);
    // Raised to 10/s: after 300 ms there are 3 tokens (not the 0.3 of the old rate).
    EXPECT_EQ(take_all(b, 10, kStart + 300'000'000), 3);
}

TEST(TokenBucket, FractionalRate) {
    TokenBucket b;
    // 0.5/s never holds a whole token at the start (burst = rate < 1).
    EXPECT_FALSE(b.try_take(0.5, kStart));
}

TEST(RoomRateLimiter, RoomsAreIndependent) {
    RoomRateLimiter l;
    EXPECT_TRUE(l.try_take("roomA", 2, kStart));
    EXPECT_TRUE(l.try_take("roomA", 2, kStart));
    EXPECT_FALSE(l.try_take("roomA", 2, kStart));
    // roomB has its own bucket, untouched by roomA's traffic.
    EXPECT_TRUE(l.try_take("roomB", 2, kStart));
    EXPECT_TRUE(l.try_take("roomB", 2, kStart));
    EXPECT_FALSE(l.try_take("roomB", 2, kStart));
    EXPECT_FALSE(l.try_take("roomA", 2, kStart));
}

TEST(RoomRateLimiter, RefillsOverTime) {
    RoomRateLimiter l;
    ASSERT_TRUE(l.try_take("r", 1, kStart));
    EXPECT_FALSE(l.try_take("r", 1, kStart + kSecond / 2));
    EXPECT_TRUE(l.try_take("r", 1, kStart + kSecond));
}

TEST(RoomRateLimiter, LoweredRoomLimitAppliesAtOnce) {
    RoomRateLimiter l;
    ASSERT_TRUE(l.try_take("r", 10, kStart));  // 9 left
    int taken = 0;
    while (taken < 100 && l.try_take("r", 2, kStart)) ++taken;
    EXPECT_EQ(taken, 2);
}

TEST(RoomRateLimiter, ForgetStartsTheRoomAfresh) {
    RoomRateLimiter l;
    ASSERT_TRUE(l.try_take("r", 1, kStart));
    ASSERT_FALSE(l.try_take("r", 1, kStart));
    l.forget("r");
    EXPECT_TRUE(l.try_take("r", 1, kStart));
    l.forget("never-seen");  // harmless
}

TEST(RoomRateLimiter, ConcurrentSendersNeverExceedTheBurst) {
    RoomRateLimiter l;
    constexpr int kThreads = 8;
    constexpr int kTriesEach = 500;
    std::atomic<int> granted_a{0};
    std::atomic<int> granted_b{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kTriesEach; ++i) {
                // Frozen clock: only the initial burst can ever be granted.
                if (l.try_take("a", 50, kStart)) granted_a.fetch_add(1);
                if (l.try_take(t % 2 ? "b" : "c-" + std::to_string(t), 7, kStart))
                    granted_b.fetch_add(1);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(granted_a.load(), 50);
    // Room "b" (4 threads) grants 7; rooms c-0, c-2, c-4, c-6 grant 7 each.
    EXPECT_EQ(granted_b.load(), 7 + 4 * 7);
}

TEST(RoomRateLimiter, ConcurrentAccessWithAdvancingClock) {
    RoomRateLimiter l;
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    // Four threads over 2 simulated seconds at 10/s: at most 10 (burst) + 20 (refill).
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                std::int64_t now = kStart + (2 * kSecond) * i / 1000 + t;
                if (l.try_take("r", 10, now)) granted.fetch_add(1);
                if (i % 97 == 0) l.forget("other");
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_LE(granted.load(), 31);
    EXPECT_GE(granted.load(), 25);
}

}  // namespace
}  // namespace parley::messaging
