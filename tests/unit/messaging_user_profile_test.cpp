// The profile a chat connection shares with its room's presence (user id + attributes, one
// allocation), and presence keeping a user's first connection's profile, not a copy.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "messaging/room_presence.hpp"
#include "messaging/user_profile.hpp"

namespace parley::messaging {
namespace {

TEST(UserProfile, HoldsIdAndAttributes) {
    auto p = UserProfile::make("a-user-id-longer-than-fifteen-bytes", {{"k", "v"}});
    EXPECT_EQ(p->user_id(), "a-user-id-longer-than-fifteen-bytes");
    EXPECT_EQ(p->attributes().at("k"), "v");
    auto none = UserProfile::make("", {});
    EXPECT_EQ(none->user_id(), "");
    EXPECT_TRUE(none->attributes().empty());
}

TEST(UserProfile, CopiesShareOneProfileAcrossThreads) {
    auto p = UserProfile::make("u", {{"a", "b"}});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([p] {
            for (int i = 0; i < 10000; ++i) {
                UserProfilePtr copy = p;
                UserProfilePtr moved = std::move(copy);
                ASSERT_EQ(moved->user_id(), "u");
            }
        });
    for (auto& th : threads) th.join();
    UserProfilePtr q;
    q = p;
    EXPECT_EQ(q.get(), p.get());
    q = UserProfilePtr();
    EXPECT_FALSE(q);
    EXPECT_EQ(p->attributes().at("a"), "b");
}

TEST(RoomPresence, KeepsTheFirstConnectionsProfileAfterItCloses) {
    RoomPresence presence;
    {
        auto first = UserProfile::make("alice", {{"color", "red"}});
        auto second = UserProfile::make("alice", {{"color", "blue"}});
        presence.connected("r", first, false, 10);
        presence.connected("r", second, false, 20);
    }  // the sessions' own references are gone; presence keeps the first one alive
    presence.disconnected("r", "alice", false);
    auto page = presence.page("r", "", 10);
    ASSERT_EQ(page.users.size(), 1u);
    EXPECT_EQ(page.users[0].user_id, "alice");
    EXPECT_EQ(page.users[0].attributes.at("color"), "red");
    EXPECT_EQ(page.users[0].connections, 1u);
    EXPECT_EQ(page.users[0].connected_since_ms, 10);
    presence.disconnected("r", "alice", false);
    EXPECT_EQ(presence.page("r", "", 10).user_count, 0u);
}

TEST(RoomPresence, PagesInBytewiseOrder) {
    RoomPresence presence;
    for (std::string u : {"b", "a", "\xc3\xa9", "B", "ab"})
        presence.connected("r", u, {}, false, 1);
    std::vector<std::string> seen;
    std::string after;
    for (;;) {
        auto page = presence.page("r", after, 2);
        for (auto& u : page.users) seen.push_back(u.user_id);
        if (!page.more) break;
        after = seen.back();
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"B", "a", "ab", "b", "\xc3\xa9"}));
}

// Enough users to grow the set several times, some with two connections, some gone: counts,
// order and pages hold after the rehashes and erasures.
TEST(RoomPresence, ManyUsersKeepCountsAndPageInOrder) {
    RoomPresence presence;
    constexpr int kUsers = 3000;
    auto name = [](int i) { return "user-" + std::to_string(i); };
    for (int k = 0; k < kUsers; ++k) {
        const int i = (k * 1237) % kUsers;  // a scrambled arrival order
        presence.connected("r", name(i), {}, false, k);
        if (i % 3 == 0) presence.connected("r", name(i), {}, false, k);
    }
    std::set<std::string> expected;
    for (int i = 0; i < kUsers; ++i) {
        if (i % 5 == 0) presence.disconnected("r", name(i), false);
        if (i % 5 != 0 || i % 3 == 0) expected.insert(name(i));
    }
    std::vector<std::string> seen;
    std::string after;
    for (;;) {
        auto page = presence.page("r", after, 97);
        EXPECT_EQ(page.user_count, expected.size());
        for (auto& u : page.users) {
            EXPECT_EQ(u.connections, (std::stoi(u.user_id.substr(5)) % 3 == 0 ? 2u : 1u) -
                                         (std::stoi(u.user_id.substr(5)) % 5 == 0 ? 1u : 0u));
            seen.push_back(u.user_id);
        }
        if (!page.more) break;
        after = seen.back();
    }
    EXPECT_EQ(seen, std::vector<std::string>(expected.begin(), expected.end()));
}

}  // namespace
}  // namespace parley::messaging
