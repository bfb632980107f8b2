// The PostgreSQL store against a real PostgreSQL: every field round-trips, writes are whole,
// and the reference rules hold inside the database.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/pg_store.hpp"
#include "store_pg_test_cluster.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::PgTestCluster;
using test::sample_logging_configuration;
using test::sample_room;

class PgStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        PARLEY_REQUIRE_POSTGRES();
        url = PgUrl::parse(PgTestCluster::instance().create_database());
        store = open_pg_store(url);
        for (const auto& arn : sample_room("x").logging_configuration_identifiers) {
            auto id = arn.substr(arn.rfind('/') + 1);
            store->insert_logging_configuration(
                sample_logging_configuration(id, model::S3DestinationConfiguration{"b"}));
        }
    }
    PgUrl url;
    std::unique_ptr<PgStore> store;
};

TEST_F(PgStoreTest, RoomRoundTripsEveryField) {
    const model::Room room = sample_room("AbCdEf123456");
    store->insert_room(room);
    const auto found = store->find_room(room.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, room);
    EXPECT_EQ(found->tags.at("ünïcødé ключ"), "値 🎉");
    EXPECT_FALSE(store->find_room("nope00000000").has_value());
}

TEST_F(PgStoreTest, RoomWithoutHandlerLinksOrTags) {
    model::Room room = sample_room("plain0000001");
    room.message_review_handler.reset();
    room.logging_configuration_identifiers.clear();
    room.tags.clear();
    store->insert_room(room);
    EXPECT_EQ(*store->find_room(room.id), room);
}

TEST_F(PgStoreTest, DuplicateInsertThrowsAndKeepsOriginal) {
    const model::Room room = sample_room("dup000000001");
    store->insert_room(room);
    model::Room other = room;
    other.name = "other";
    EXPECT_THROW(store->insert_room(other), std::runtime_error);
    EXPECT_EQ(store->find_room(room.id)->name, room.name);
}

TEST_F(PgStoreTest, UpdateReplacesAndMissingUpdateDoesNothing) {
    model::Room room = sample_room("upd000000001");
    store->insert_room(room);
    room.name = "renamed";
    room.tags = {{"only", "one"}};
    room.logging_configuration_identifiers = {room.logging_configuration_identifiers[1]};
    EXPECT_TRUE(store->update_room(room));
    EXPECT_EQ(*store->find_room(room.id), room);
    EXPECT_FALSE(store->update_room(sample_room("ghost0000001")));
    EXPECT_FALSE(store->find_room("ghost0000001").has_value());
}

TEST_F(PgStoreTest, ModifyRoomAppliesOrRollsBack) {
    model::Room room = sample_room("mod000000001");
    store->insert_room(room);
    auto changed = store->modify_room(room.id, [](model::Room& r) { r.tags["new"] = "tag"; });
    ASSERT_TRUE(changed.has_value());
    EXPECT_EQ(store->find_room(room.id)->tags.at("new"), "tag");
    EXPECT_THROW(store->modify_room(room.id,
                                    [](model::Room& r) {
                                        r.tags.clear();
                                        throw std::logic_error("abandon");
                                    }),
                 std::logic_error);
    EXPECT_EQ(store->find_room(room.id)->tags.at("new"), "tag");  // rolled back
    EXPECT_FALSE(store->modify_room("ghost0000001", [](model::Room&) {}).has_value());
}

TEST_F(PgStoreTest, DeleteRemovesRoomTagsAndLinks) {
    const model::Room room = sample_room("del000000001");
    store->insert_room(room);
    EXPECT_TRUE(store->delete_room(room.id));
    EXPECT_FALSE(store->delete_room(room.id));
    EXPECT_FALSE(store->find_room(room.id).has_value());
    // Its links are gone: the configurations it named can be deleted now.
    for (const auto& arn : room.logging_configuration_identifiers) {
        EXPECT_EQ(store->delete_logging_configuration(arn.substr(arn.rfind('/') + 1)),
                  DeleteOutcome::Deleted);
    }
}

TEST_F(PgStoreTest, ListAndCountRooms) {
    for (int i = 0; i < 5; ++i) store->insert_room(sample_room("list0000000" + std::to_string(i)));
    auto rooms = store->list_rooms();
    ASSERT_EQ(rooms.size(), 5u);
    EXPECT_EQ(store->count_rooms(), 5u);
    for (const auto& r : rooms) EXPECT_EQ(r, sample_room(r.id));
}

TEST_F(PgStoreTest, LoggingConfigurationRoundTripsEachDestination) {
    const std::vector<model::DestinationConfiguration> destinations = {
        model::S3DestinationConfiguration{"bucket"},
        model::CloudWatchLogsDestinationConfiguration{"/a/group"},
        model::FirehoseDestinationConfiguration{"stream"}};
    int n = 0;
    for (const auto& d : destinations) {
        auto config = sample_logging_configuration("lc00000000a" + std::to_string(n++), d);
        store->insert_logging_configuration(config);
        EXPECT_EQ(*store->find_logging_configuration(config.id), config);
    }
    EXPECT_EQ(store->count_logging_configurations(), 3u + 3u);
    EXPECT_EQ(store->list_logging_configurations().size(), 6u);
}

TEST_F(PgStoreTest, LoggingConfigurationInUseCannotBeDeleted) {
    const model::Room room = sample_room("use000000001");
    store->insert_room(room);
    const auto& arn = room.logging_configuration_identifiers[0];
    const auto id = arn.substr(arn.rfind('/') + 1);
    EXPECT_EQ(store->delete_logging_configuration(id), DeleteOutcome::InUse);
    EXPECT_EQ(store->delete_logging_configuration("absent000001"), DeleteOutcome::NotFound);
    EXPECT_TRUE(store->find_logging_configuration(id).has_value());
}

TEST_F(PgStoreTest, RoomNamingAMissingConfigurationIsRefused) {
    model::Room room = sample_room("miss00000001");
    room.logging_configuration_identifiers.push_back(
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/gone00000001");
    try {
        store->insert_room(room);
        FAIL() << "insert succeeded";
    } catch (const MissingReference& e) {
        EXPECT_EQ(e.arn, room.logging_configuration_identifiers.back());
    }
    EXPECT_FALSE(store->find_room(room.id).has_value());
}

TEST_F(PgStoreTest, QuotaInsertsStopAtTheLimit) {
    EXPECT_EQ(store->insert_room_within_quota(sample_room("quota0000001"), 2),
              InsertOutcome::Inserted);
    EXPECT_EQ(store->insert_room_within_quota(sample_room("quota0000002"), 2),
              InsertOutcome::Inserted);
    EXPECT_EQ(store->insert_room_within_quota(sample_room("quota0000003"), 2),
              InsertOutcome::QuotaExceeded);
    EXPECT_EQ(store->count_rooms(), 2u);
    EXPECT_EQ(
        store->insert_logging_configuration_within_quota(
            sample_logging_configuration("lcq000000001", model::S3DestinationConfiguration{"b"}),
            3),
        InsertOutcome::QuotaExceeded);  // 3 exist already
}

TEST_F(PgStoreTest, ModifyLoggingConfigurationKeepsArn) {
    auto config =
        sample_logging_configuration("lcm000000001", model::S3DestinationConfiguration{"one"});
    store->insert_logging_configuration(config);
    auto changed = store->modify_logging_configuration(config.id, [](auto& c) {
        c.name = "renamed";
        c.destination_configuration = model::FirehoseDestinationConfiguration{"two"};
    });
    ASSERT_TRUE(changed.has_value());
    auto found = store->find_logging_configuration(config.id);
    EXPECT_EQ(found->name, "renamed");
    EXPECT_EQ(found->arn, config.arn);
    EXPECT_FALSE(store->modify_logging_configuration("ghost0000001", [](auto&) {}).has_value());
}

}  // namespace
}  // namespace parley::store

namespace parley::store {
namespace {

// The indexed page query and the in-memory default agree, filters and cursor included.
TEST_F(PgStoreTest, RoomPagesMatchTheInMemoryDefinition) {
    std::vector<model::Room> rooms;
    for (int i = 0; i < 12; ++i) {
        model::Room room = sample_room("pg" + std::string(i < 10 ? "0" : "") + std::to_string(i) +
                                       (i % 2 ? "aAzZ0000" : "Zzaa0000"));
        room.update_time = 1000 + i / 3;  // ties, so the id order matters
        room.name = i % 3 ? "even" : "odd";
        if (i % 4 == 0) room.message_review_handler.reset();
        if (i % 5 == 0) room.logging_configuration_identifiers.pop_back();
        store->insert_room(room);
    }
    auto reference = [&](const RoomPageQuery& q) { return store->Store::list_rooms_page(q); };
    std::vector<RoomPageQuery> queries = {
        {.limit = 100},
        {.name = "even", .limit = 100},
        {.review_handler_uri = "", .limit = 100},
        {.logging_configuration_arn = sample_room("x").logging_configuration_identifiers.back(),
         .limit = 100},
        {.limit = 5},
    };
    for (auto q : queries) {
        // Page through with the cursor, both ways, and compare page by page.
        for (int page = 0; page < 10; ++page) {
            auto got = store->list_rooms_page(q);
            auto want = reference(q);
            ASSERT_EQ(got, want) << "page " << page;
            if (got.size() < q.limit || got.empty()) break;
            q.after = std::make_pair(got.back().update_time, got.back().id);
        }
    }
}

}  // namespace
}  // namespace parley::store
