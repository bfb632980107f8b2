// The in-memory history of rooms, presence bookkeeping and the connect options of the URL.
#include <gtest/gtest.h>

#include "messaging/room_history.hpp"
#include "messaging/room_presence.hpp"
#include "messaging/ws_handshake.hpp"

namespace parley::messaging {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::string message(const std::string& id) {
    return R"({"Type":"MESSAGE","Id":")" + id + R"(","RequestId":"","Content":"x"})";
}

TEST(RoomHistory, FindsTheMessageIdOfAPayload) {
    EXPECT_EQ(message_id_of(message("abcdefghijkl")), "abcdefghijkl");
    EXPECT_EQ(message_id_of(R"({"Type":"EVENT","Id":"x"})"), "");
}

TEST(RoomHistory, KeepsTheLastNInOrderAndNumbersThem) {
    RoomHistory h({.max_messages = 3, .max_age_ns = 3600 * kSecond}, nullptr);
    std::int64_t now = 1000 * kSecond;
    for (int i = 1; i <= 5; ++i)
        EXPECT_EQ(h.append("r", message("m" + std::to_string(i)), now),
                  static_cast<std::uint64_t>(i));
    EXPECT_EQ(h.last_seq("r"), 5u);
    EXPECT_EQ(h.last_seq("other"), 0u);
    auto tail = h.tail("r", 10, now);
    ASSERT_EQ(tail.size(), 3u);
    EXPECT_EQ(tail[0].message_id, "m3");
    EXPECT_EQ(tail[2].message_id, "m5");
    EXPECT_EQ(*tail[2].json, message("m5"));
    auto two = h.tail("r", 2, now);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].message_id, "m4");
}

TEST(RoomHistory, PagesNewestFirstWithinTimes) {
    RoomHistory h({.max_messages = 100, .max_age_ns = 3600 * kSecond}, nullptr);
    for (int i = 1; i <= 10; ++i) h.append("r", message("m" + std::to_string(i)), i * kSecond);
    auto now = 20 * kSecond;
    auto page = h.page("r", 0, 4, INT64_MIN, INT64_MAX, now);
    ASSERT_EQ(page.size(), 4u);
    EXPECT_EQ(page[0].seq, 10u);
    auto next = h.page("r", page.back().seq, 4, INT64_MIN, INT64_MAX, now);
    EXPECT_EQ(next[0].seq, 6u);
    auto window = h.page("r", 0, 100, 3 * kSecond, 5 * kSecond, now);
    ASSERT_EQ(window.size(), 3u);
    EXPECT_EQ(window[0].seq, 5u);
    EXPECT_EQ(window[2].seq, 3u);
}

TEST(RoomHistory, ForgetsOldDeletedAndDroppedMessages) {
    RoomHistory h({.max_messages = 100, .max_age_ns = 60 * kSecond}, nullptr);
    h.append("r", message("old"), 0);
    h.append("r", message("new"), 100 * kSecond);
    h.append("r", message("bad"), 100 * kSecond);
    auto tail = h.tail("r", 10, 110 * kSecond);
    ASSERT_EQ(tail.size(), 2u);  // "old" is past the age limit
    EXPECT_TRUE(h.remove("r", "bad"));
    EXPECT_FALSE(h.remove("r", "bad"));
    EXPECT_EQ(h.tail("r", 10, 110 * kSecond).size(), 1u);
    h.drop_room("r");
    EXPECT_TRUE(h.tail("r", 10, 110 * kSecond).empty());
}

TEST(RoomHistory, RestoredMessagesContinueTheNumbering) {
    RoomHistory h({.max_messages = 2, .max_age_ns = 3600 * kSecond}, nullptr);
    std::vector<store::HistoryRecord> records;
    for (std::uint64_t i = 7; i <= 9; ++i)
        records.push_back({.room_id = "r",
                           .seq = i,
                           .message_id = "m" + std::to_string(i),
                           .send_time_ns = 10 * kSecond,
                           .json = message("m" + std::to_string(i))});
    h.restore(std::move(records));
    EXPECT_EQ(h.tail("r", 10, 11 * kSecond).size(), 2u);
    EXPECT_EQ(h.append("r", message("m10"), 11 * kSecond), 10u);
}

TEST(RoomPresence, CountsUsersOnceAndReportsNetChanges) {
    RoomPresence p;
    p.connected("r", "watcher", {}, true, 1);
    (void)p.take_changes();
    p.connected("r", "alice", {{"k", "v"}}, false, 2);
    p.connected("r", "alice", {}, false, 3);
    p.connected("r", "bob", {}, false, 4);
    p.disconnected("r", "bob", false);  // came and went: no news
    auto page = p.page("r", "", 10);
    EXPECT_EQ(page.connection_count, 3u);
    EXPECT_EQ(page.user_count, 2u);
    EXPECT_EQ(page.users[0].user_id, "alice");
    EXPECT_EQ(page.users[0].connections, 2u);
    EXPECT_EQ(page.users[0].attributes.at("k"), "v");
    auto changes = p.take_changes();
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].joined, std::vector<std::string>{"alice"});
    EXPECT_TRUE(changes[0].left.empty());
    p.disconnected("r", "alice", false);
    EXPECT_TRUE(p.take_changes().empty());  // alice still has a connection
    p.disconnected("r", "alice", false);
    changes = p.take_changes();
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].left, std::vector<std::string>{"alice"});
    auto second = p.page("r", "", 1);
    EXPECT_FALSE(second.more);
}

TEST(RoomPresence, NoChangesWithoutAListener) {
    RoomPresence p;
    p.connected("r", "alice", {}, false, 1);
    EXPECT_TRUE(p.take_changes().empty());
}

TEST(ConnectOptions, ReadsHistoryAndPresenceFromTheQuery) {
    auto none = parse_connect_options("/");
    EXPECT_EQ(none.history, 0u);
    EXPECT_FALSE(none.presence);
    auto both = parse_connect_options("/?history=50&presence=1&other=x");
    EXPECT_EQ(both.history, 50u);
    EXPECT_TRUE(both.presence);
    EXPECT_TRUE(both.error.empty());
    EXPECT_FALSE(parse_connect_options("/?history=-1").error.empty());
    EXPECT_FALSE(parse_connect_options("/?history=").error.empty());
    EXPECT_FALSE(parse_connect_options("/?presence=yes").error.empty());
}

}  // namespace
}  // namespace parley::messaging
