#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "token/replay_guard.hpp"

using parley::token::ReplayGuard;

namespace {

TEST(ReplayGuard, FirstUseOnlyOnce) {
    ReplayGuard g;
    EXPECT_TRUE(g.first_use("abc", 2000, 1000));
    EXPECT_FALSE(g.first_use("abc", 2000, 1000));
    EXPECT_FALSE(g.first_use("abc", 2000, 1999));
    EXPECT_EQ(g.size(), 1u);
}

TEST(ReplayGuard, DistinctIdsAreIndependent) {
    ReplayGuard g;
    EXPECT_TRUE(g.first_use("a", 5000, 0));
    EXPECT_TRUE(g.first_use("b", 5000, 0));
    EXPECT_TRUE(g.first_use("ab", 5000, 0));
    EXPECT_FALSE(g.first_use("a", 5000, 1));
    EXPECT_FALSE(g.first_use("b", 5000, 1));
    EXPECT_EQ(g.size(), 3u);
}

TEST(ReplayGuard, AlreadyExpiredIdIsRefused) {
    ReplayGuard g;
    EXPECT_FALSE(g.first_use("late", 1000, 1000));
    EXPECT_FALSE(g.first_use("later", 999, 1000));
    EXPECT_EQ(g.size(), 0u);
}

TEST(ReplayGuard, ExpiredEntriesAreSweptIncrementally) {
    ReplayGuard g;
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(g.first_use("old" + std::to_string(i), 1000, 0));
    EXPECT_EQ(g.size(), 100u);
    // Later traffic forgets the expired ids a few at a time.
    for (int i = 0; i < 400; ++i) ASSERT_TRUE(g.first_use("new" + std::to_string(i), 9000, 2000));
    EXPECT_EQ(g.size(), 400u);
}

TEST(ReplayGuard, SweepForgetsEverythingExpired) {
    ReplayGuard g;
    for (int i = 0; i < 50; ++i) g.first_use("a" + std::to_string(i), 1000, 0);
    for (int i = 0; i < 30; ++i) g.first_use("b" + std::to_string(i), 3000, 0);
    EXPECT_EQ(g.sweep(999), 0u);
    EXPECT_EQ(g.sweep(1000), 50u);
    EXPECT_EQ(g.size(), 30u);
    EXPECT_FALSE(g.first_use("b1", 3000, 1500));
    EXPECT_EQ(g.sweep(5000), 30u);
    EXPECT_EQ(g.size(), 0u);
}

TEST(ReplayGuard, IdCanBeRememberedAgainAfterExpiry) {
    ReplayGuard g;
    EXPECT_TRUE(g.first_use("x", 1000, 0));
    // Expired but not yet swept: a new use with a new expiry (only possible with a new token).
    EXPECT_TRUE(g.first_use("x", 5000, 1000));
    EXPECT_FALSE(g.first_use("x", 5000, 1001));
    EXPECT_EQ(g.sweep(2000), 0u);  // the stale first entry must not drop the renewed one
    EXPECT_FALSE(g.first_use("x", 5000, 2001));
    EXPECT_EQ(g.sweep(5000), 1u);
    EXPECT_EQ(g.size(), 0u);
}

TEST(ReplayGuard, ConcurrentFirstUseYieldsExactlyOneTrue) {
    for (int round = 0; round < 50; ++round) {
        ReplayGuard g;
        std::atomic<int> wins{0};
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                while (!go.load()) std::this_thread::yield();
                if (g.first_use("same-token-id", 10'000, 0)) ++wins;
            });
        }
        go = true;
        for (auto& th : threads) th.join();
        ASSERT_EQ(wins.load(), 1) << "round " << round;
    }
}

TEST(ReplayGuard, ConcurrentDistinctIdsAllSucceed) {
    ReplayGuard g;
    std::atomic<int> wins{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                if (g.first_use(std::to_string(t) + ":" + std::to_string(i), 10'000 + i, i)) ++wins;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wins.load(), 8000);
}

// A fresh directory of its own for one journal test.
std::filesystem::path fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST(ReplayGuardJournal, UsedIdsSurviveARestart) {
    auto dir = fresh_dir("parley-replay");
    auto file = dir / "used-tokens";
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 1000);
        EXPECT_TRUE(guard.first_use("alive", 50000, 1000));
        EXPECT_TRUE(guard.first_use("short", 2000, 1000));
    }  // as if the process died: nothing else is written
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 3000);  // "short" has expired by now
        EXPECT_FALSE(guard.first_use("alive", 50000, 3000));
        EXPECT_EQ(guard.size(), 1u);
        EXPECT_TRUE(guard.first_use("fresh", 50000, 3000));
    }
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 3000);
        EXPECT_FALSE(guard.first_use("fresh", 50000, 3000));
        EXPECT_EQ(guard.size(), 2u);  // compacted: the expired id is gone
    }
    std::filesystem::remove_all(dir);
}

TEST(ReplayGuardJournal, AProcessThatDiesStillLeavesItsIds) {
    auto dir = fresh_dir("parley-replay-die");
    auto file = dir / "used-tokens";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // No destructor runs: the journal keeps its NUL reservation, as after a crash.
        auto* guard = new parley::token::ReplayGuard;
        guard->persist_to(file, 1000);
        for (int i = 0; i < 3000; ++i)  // more than one mapped window
            if (!guard->first_use("id-" + std::to_string(i), 50000, 1000)) ::_exit(2);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 2000);
        EXPECT_EQ(guard.size(), 3000u);
        EXPECT_FALSE(guard.first_use("id-0", 50000, 2000));
        EXPECT_FALSE(guard.first_use("id-2999", 50000, 2000));
        EXPECT_TRUE(guard.first_use("after", 50000, 2000));
    }
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 2000);
        EXPECT_EQ(guard.size(), 3001u);
        EXPECT_FALSE(guard.first_use("after", 50000, 2000));
    }
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find('\0'), std::string::npos);  // closed cleanly: no reservation left
    std::filesystem::remove_all(dir);
}

TEST(ReplayGuardJournal, ReadsTheEarlierFormatAndWritesDigests) {
    auto dir = fresh_dir("parley-replay-old");
    auto file = dir / "used-tokens";
    {
        std::ofstream old(file);
        old << "0123456789abcdef0123456789abcdef 50000\n";  // a token id, as before
        old << "gone 2000\n";                               // expired by the load
    }
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 3000);
        EXPECT_FALSE(guard.first_use("0123456789abcdef0123456789abcdef", 50000, 3000));
        EXPECT_EQ(guard.size(), 1u);
        EXPECT_TRUE(guard.first_use("new-one", 60000, 3000));
    }
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Compacted into digests: the token ids themselves are no longer on disk.
    EXPECT_EQ(text.find("0123456789abcdef0123456789abcdef"), std::string::npos);
    EXPECT_EQ(text.find("new-one"), std::string::npos);
    EXPECT_NE(text.find("sha256:"), std::string::npos);
    {
        parley::token::ReplayGuard guard;
        guard.persist_to(file, 3000);
        EXPECT_FALSE(guard.first_use("0123456789abcdef0123456789abcdef", 50000, 3000));
        EXPECT_FALSE(guard.first_use("new-one", 60000, 3000));
        EXPECT_EQ(guard.size(), 2u);
    }
    std::filesystem::remove_all(dir);
}

TEST(ReplayGuard, ManyTokensThenSweepLeavesNothing) {
    ReplayGuard g;
    for (int i = 0; i < 20000; ++i) ASSERT_TRUE(g.first_use("t" + std::to_string(i), 1000 + i, 0));
    for (int i = 0; i < 20000; i += 7)
        ASSERT_FALSE(g.first_use("t" + std::to_string(i), 1000 + i, 999));
    EXPECT_EQ(g.size(), 20000u);
    EXPECT_EQ(g.sweep(11000), 10001u);
    EXPECT_EQ(g.size(), 9999u);
    EXPECT_EQ(g.sweep(21000), 9999u);
    EXPECT_EQ(g.size(), 0u);
}
