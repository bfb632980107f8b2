// Cluster mode pieces of the messaging layer that need no Redis: presence news decided
// cluster-wide (only what the bus reports, netted, for rooms with a listener here), and a
// ?history=N connection's hold-then-floor of live frames around its backfill.
#include <gtest/gtest.h>

#include "messaging/cluster_backfill.hpp"
#include "messaging/room_presence.hpp"

namespace parley::messaging {
namespace {

TEST(SharedPresenceEvents, OwnConnectionsMakeNoNewsOnlyTheBusDoes) {
    RoomPresence p;
    p.set_shared_events(true);
    p.connected("r", "watcher", {}, true, 1);
    p.connected("r", "alice", {}, false, 2);
    EXPECT_TRUE(p.take_changes().empty());  // decided cluster-wide, not here
    p.note_shared_change("r", "bob", true, 3, 4);
    p.note_shared_change("elsewhere", "x", true, 1, 1);  // no listener here: dropped
    auto changes = p.take_changes();
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].joined, std::vector<std::string>{"bob"});
    EXPECT_EQ(changes[0].user_count, 3u);
    EXPECT_EQ(changes[0].connection_count, 4u);
    // Came and went within one flush: no news.
    p.note_shared_change("r", "carol", true, 4, 5);
    p.note_shared_change("r", "carol", false, 3, 4);
    EXPECT_TRUE(p.take_changes().empty());
    // The local counts are still kept (GetRoomPresence of one node, recount after a split).
    EXPECT_EQ(p.page("r", "", 10).connection_count, 2u);
}

TEST(ClusterBackfill, HoldsUntilTheBackfillThenDropsWhatItCovered) {
    ClusterBackfill b;
    auto frame = text_frame(R"({"Type":"MESSAGE"})");
    EXPECT_FALSE(b.admit(frame, {10, 0}));
    EXPECT_FALSE(b.admit(frame, {}));
    EXPECT_EQ(b.held.size(), 2u);
    b.waiting = false;
    b.floor = {10, 1};
    EXPECT_FALSE(b.admit(frame, {10, 1}));  // in the backfill
    EXPECT_FALSE(b.admit(frame, {9, 5}));
    EXPECT_TRUE(b.admit(frame, {10, 2}));
    EXPECT_TRUE(b.admit(frame, {}));  // an EVENT
}

}  // namespace
}  // namespace parley::messaging
