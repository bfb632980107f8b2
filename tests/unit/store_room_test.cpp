#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::sample_room;
using test::TemporaryDirectory;

class StoreRoomTest : public ::testing::Test {
  protected:
    TemporaryDirectory dir;
    std::unique_ptr<Store> store = open_sqlite_store(dir.database());
};

TEST_F(StoreRoomTest, RoundTripsEveryField) {
    const model::Room room = sample_room("AbCdEf123456");
    store->insert_room(room);
    const auto found = store->find_room(room.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, room);
    EXPECT_EQ(found->tags.at("ünïcødé ключ"), "値 🎉");
    EXPECT_EQ(found->tags.at("empty"), "");
}

TEST_F(StoreRoomTest, AbsentReviewHandlerStaysAbsent) {
    model::Room room = sample_room("noReview0001");
    room.message_review_handler.reset();
    room.logging_configuration_identifiers.clear();
    room.tags.clear();
    room.name = "";
    store->insert_room(room);
    const auto found = store->find_room(room.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->message_review_handler.has_value());
    EXPECT_TRUE(found->tags.empty());
    EXPECT_TRUE(found->logging_configuration_identifiers.empty());
    EXPECT_EQ(*found, room);
}

TEST_F(StoreRoomTest, ReviewHandlerWithEmptyUriIsKeptDistinctFromAbsent) {
    model::Room room = sample_room("emptyUri0001");
    room.message_review_handler = model::MessageReviewHandler{"", "ALLOW"};
    store->insert_room(room);
    const auto found = store->find_room(room.id);
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->message_review_handler.has_value());
    EXPECT_EQ(found->message_review_handler->uri, "");
    EXPECT_EQ(found->message_review_handler->fallback_result, "ALLOW");
}

TEST_F(StoreRoomTest, LoggingListKeepsOrder) {
    const model::Room room = sample_room("order0000001");
    store->insert_room(room);
    EXPECT_EQ(store->find_room(room.id)->logging_configuration_identifiers,
              room.logging_configuration_identifiers);
}

TEST_F(StoreRoomTest, FindMissingRoomIsEmpty) {
    EXPECT_FALSE(store->find_room("missing00001").has_value());
    EXPECT_FALSE(store->find_room("").has_value());
}

TEST_F(StoreRoomTest, DuplicateInsertThrowsAndKeepsOriginal) {
    const model::Room room = sample_room("dup000000001");
    store->insert_room(room);
    model::Room other = room;
    other.name = "other";
    other.arn += "x";
    other.tags = {{"leak", "no"}};
    EXPECT_THROW(store->insert_room(other), std::runtime_error);
    EXPECT_EQ(*store->find_room(room.id), room);
    EXPECT_EQ(store->count_rooms(), 1u);
}

TEST_F(StoreRoomTest, UpdateReplacesFieldsTagsAndList) {
    model::Room room = sample_room("update000001");
    store->insert_room(room);

    room.name = "renamed";
    room.update_time += 1000;
    room.maximum_message_length = 1;
    room.maximum_message_rate_per_second = 100;
    room.message_review_handler.reset();
    room.logging_configuration_identifiers = {room.logging_configuration_identifiers[2]};
    room.tags = {{"new", "tag"}};
    store->update_room(room);
    EXPECT_EQ(*store->find_room(room.id), room);

    room.logging_configuration_identifiers.clear();
    room.tags.clear();
    room.message_review_handler = model::MessageReviewHandler{"arn:aws:lambda:x", "ALLOW"};
    store->update_room(room);
    EXPECT_EQ(*store->find_room(room.id), room);
}

TEST_F(StoreRoomTest, UpdateOfMissingRoomDoesNothing) {
    store->update_room(sample_room("ghost0000001"));
    EXPECT_FALSE(store->find_room("ghost0000001").has_value());
    EXPECT_EQ(store->count_rooms(), 0u);
}

TEST_F(StoreRoomTest, DeleteRemovesRoomTagsAndLinks) {
    const model::Room room = sample_room("delete000001");
    const model::Room kept = sample_room("keep00000001");
    store->insert_room(room);
    store->insert_room(kept);

    EXPECT_TRUE(store->delete_room(room.id));
    EXPECT_FALSE(store->find_room(room.id).has_value());
    EXPECT_FALSE(store->delete_room(room.id));
    EXPECT_EQ(store->count_rooms(), 1u);
    EXPECT_EQ(*store->find_room(kept.id), kept);

    // A new room reusing the id and ARN must not inherit the old tags or links.
    model::Room reborn = sample_room("delete000001");
    reborn.tags.clear();
    reborn.logging_configuration_identifiers.clear();
    store->insert_room(reborn);
    EXPECT_EQ(*store->find_room(reborn.id), reborn);
}

TEST_F(StoreRoomTest, ListReturnsEveryRoomWithItsLinksAndTags) {
    std::vector<model::Room> rooms;
    for (const char* id : {"list00000003", "list00000001", "list00000002"}) {
        model::Room room = sample_room(id);
        room.tags["id"] = id;
        rooms.push_back(room);
        store->insert_room(room);
    }
    rooms[1].message_review_handler.reset();
    rooms[1].logging_configuration_identifiers.clear();
    store->update_room(rooms[1]);

    auto listed = store->list_rooms();
    auto by_id = [](const model::Room& a, const model::Room& b) { return a.id < b.id; };
    std::sort(listed.begin(), listed.end(), by_id);
    std::sort(rooms.begin(), rooms.end(), by_id);
    EXPECT_EQ(listed, rooms);
    EXPECT_EQ(store->count_rooms(), 3u);
}

TEST_F(StoreRoomTest, EmptyStoreListsNothing) {
    EXPECT_TRUE(store->list_rooms().empty());
    EXPECT_EQ(store->count_rooms(), 0u);
}

TEST_F(StoreRoomTest, ConcurrentWritersAndReadersAreSafe) {
    constexpr int kThreads = 4;
    constexpr int kRoomsPerThread = 10;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([this, t] {
            for (int i = 0; i < kRoomsPerThread; ++i) {
                const std::string id =
                    "thr" + std::to_string(t) + "r" + std::to_string(1000000 + i);
                store->insert_room(sample_room(id));
                EXPECT_TRUE(store->find_room(id).has_value());
                (void)store->list_rooms();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(store->count_rooms(), static_cast<std::size_t>(kThreads * kRoomsPerThread));
}

}  // namespace
}  // namespace parley::store
