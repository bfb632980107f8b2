#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <unordered_map>

#include "token/used_token_table.hpp"

using parley::token::TokenDigest;
using parley::token::UsedTokenTable;

namespace {

TEST(TokenDigest, IsTheFirstSixteenBytesOfSha256) {
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    auto d = TokenDigest::of("abc");
    EXPECT_EQ(d.hex(), "ba7816bf8f01cfea414140de5dae2223");
    TokenDigest back;
    ASSERT_TRUE(TokenDigest::from_hex(d.hex(), back));
    EXPECT_EQ(back, d);
    EXPECT_FALSE(TokenDigest::from_hex("ba7816bf8f01cfea414140de5dae222", back));   // short
    EXPECT_FALSE(TokenDigest::from_hex("BA7816BF8F01CFEA414140DE5DAE2223", back));  // upper case
    EXPECT_FALSE(TokenDigest::from_hex("zz7816bf8f01cfea414140de5dae2223", back));
    EXPECT_NE(TokenDigest::of("a"), TokenDigest::of("b"));
}

// Digests whose low words collide on purpose exercise the probing and deletion paths.
TokenDigest clustered(std::uint64_t i) {
    return TokenDigest{.hi = i, .lo = 5};
}

TEST(UsedTokenTable, InsertOnceUntilExpiry) {
    UsedTokenTable t;
    EXPECT_TRUE(t.insert(clustered(1), 100, 0));
    EXPECT_FALSE(t.insert(clustered(1), 100, 99));
    EXPECT_TRUE(t.insert(clustered(1), 300, 100));  // expired: renewed
    EXPECT_FALSE(t.insert(clustered(1), 300, 200));
    EXPECT_EQ(t.size(), 1u);
}

TEST(UsedTokenTable, DeletionKeepsColliderReachable) {
    UsedTokenTable t;
    // Three records on one home slot; the middle one expires and is swept away.
    ASSERT_TRUE(t.insert(clustered(1), 1000, 0));
    ASSERT_TRUE(t.insert(clustered(2), 10, 0));
    ASSERT_TRUE(t.insert(clustered(3), 1000, 0));
    EXPECT_EQ(t.sweep_all(20), 1u);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_FALSE(t.insert(clustered(1), 1000, 20));
    EXPECT_FALSE(t.insert(clustered(3), 1000, 20));  // still found past the hole
    EXPECT_TRUE(t.insert(clustered(2), 1000, 20));
}

TEST(UsedTokenTable, WrapAroundProbingAndDeletion) {
    UsedTokenTable t;
    // Home on the last slot of the initial 16: the run wraps to slots 0, 1, ...
    auto at_end = [](std::uint64_t i) { return TokenDigest{.hi = i, .lo = 15}; };
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(t.insert(at_end(i), i % 2 ? 10 : 1000, 0));
    ASSERT_TRUE(t.insert(TokenDigest{.hi = 99, .lo = 0}, 1000, 0));
    ASSERT_EQ(t.capacity(), 16u);
    EXPECT_EQ(t.sweep_all(50), 2u);
    EXPECT_EQ(t.capacity(), 16u);  // erased in place
    for (std::uint64_t i = 0; i < 5; ++i) EXPECT_EQ(t.insert(at_end(i), 1000, 50), i % 2 == 1) << i;
    EXPECT_FALSE(t.insert(TokenDigest{.hi = 99, .lo = 0}, 1000, 50));
}

TEST(UsedTokenTable, GrowsAndDropsExpiredBeforeGrowing) {
    UsedTokenTable t;
    for (std::uint64_t i = 0; i < 1000; ++i)
        ASSERT_TRUE(t.insert(TokenDigest::of(std::to_string(i)), 100, 0));
    EXPECT_EQ(t.size(), 1000u);
    EXPECT_LE(t.size() * 4, t.capacity() * 3);
    const auto grown = t.capacity();
    // All of those have expired: later tokens reuse their room instead of growing the table.
    for (std::uint64_t i = 0; i < 10000; ++i)
        ASSERT_TRUE(t.insert(TokenDigest::of("n" + std::to_string(i)), 200 + i, 100 + i));
    EXPECT_LE(t.capacity(), grown);
}

TEST(UsedTokenTable, SweepAllForgetsExpiredAndShrinks) {
    UsedTokenTable t;
    for (std::uint64_t i = 0; i < 4096; ++i)
        ASSERT_TRUE(t.insert(TokenDigest::of(std::to_string(i)), i < 4000 ? 100 : 500, 0));
    const auto big = t.capacity();
    EXPECT_EQ(t.sweep_all(99), 0u);
    EXPECT_EQ(t.sweep_all(100), 4000u);
    EXPECT_EQ(t.size(), 96u);
    EXPECT_LT(t.capacity(), big);
    for (std::uint64_t i = 4000; i < 4096; ++i)
        EXPECT_FALSE(t.insert(TokenDigest::of(std::to_string(i)), 500, 100));
    EXPECT_EQ(t.sweep_all(500), 96u);
    EXPECT_EQ(t.size(), 0u);
}

// The table against a reference model, with random inserts, sweeps and clock steps over a small
// key space (many renewals) and low words drawn from a few values (long probe runs).
TEST(UsedTokenTable, MatchesAReferenceModel) {
    std::mt19937_64 rng(42);
    UsedTokenTable t;
    std::unordered_map<std::uint64_t, std::int64_t> model;  // key -> expiry
    std::int64_t now = 0;
    for (int step = 0; step < 200000; ++step) {
        std::uint64_t key = rng() % 3000;
        TokenDigest d{.hi = key, .lo = key % 7 == 0 ? 3 : key * 0x9E3779B97F4A7C15ull};
        switch (rng() % 10) {
            case 0:
                now += static_cast<std::int64_t>(rng() % 50);
                break;
            case 1:
                if (rng() % 8 == 0) t.sweep_all(now);
                break;
            case 2:
                if (rng() % 50 == 0) t.sweep_all(now);
                break;
            default: {
                std::int64_t expires = now + 1 + static_cast<std::int64_t>(rng() % 500);
                auto it = model.find(key);
                bool expect = it == model.end() || it->second <= now;
                ASSERT_EQ(t.insert(d, expires, now), expect) << "step " << step;
                if (expect) model[key] = expires;
            }
        }
    }
    // Everything the model still holds unexpired is in the table.
    std::size_t live = 0;
    t.for_each([&](const TokenDigest& d, std::int64_t expires) {
        auto it = model.find(d.hi);
        ASSERT_NE(it, model.end());
        EXPECT_EQ(it->second, expires);
        if (expires > now) ++live;
    });
    std::size_t model_live = 0;
    for (const auto& [k, e] : model) model_live += e > now;
    EXPECT_EQ(live, model_live);
}

}  // namespace
