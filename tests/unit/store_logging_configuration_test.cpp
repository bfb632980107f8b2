#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::sample_logging_configuration;
using test::sample_room;
using test::TemporaryDirectory;

class StoreLoggingConfigurationTest : public ::testing::Test {
  protected:
    TemporaryDirectory dir;
    std::unique_ptr<Store> store = open_sqlite_store(dir.database());
};

TEST_F(StoreLoggingConfigurationTest, RoundTripsEachDestinationType) {
    const std::vector<model::LoggingConfiguration> configs = {
        sample_logging_configuration("s3aaaaaaaaa1",
                                     model::S3DestinationConfiguration{"my-bucket"}),
        sample_logging_configuration("cwaaaaaaaaa1",
                                     model::CloudWatchLogsDestinationConfiguration{"/ivs/chat"}),
        sample_logging_configuration("fhaaaaaaaaa1",
                                     model::FirehoseDestinationConfiguration{"my-stream"}),
    };
    for (const auto& config : configs) store->insert_logging_configuration(config);
    for (const auto& config : configs) {
        const auto found = store->find_logging_configuration(config.id);
        ASSERT_TRUE(found.has_value()) << config.id;
        EXPECT_EQ(*found, config);
    }
    EXPECT_EQ(store->count_logging_configurations(), 3u);
}

TEST_F(StoreLoggingConfigurationTest, UpdateReplacesDestinationStateAndTags) {
    auto config =
        sample_logging_configuration("upd000000001", model::S3DestinationConfiguration{"bucket"});
    store->insert_logging_configuration(config);
    config.name = "";
    config.update_time += 5;
    config.state = "UPDATING";
    config.destination_configuration = model::FirehoseDestinationConfiguration{"stream"};
    config.tags = {{"ключ", "значение"}};
    store->update_logging_configuration(config);
    EXPECT_EQ(*store->find_logging_configuration(config.id), config);

    config.tags.clear();
    store->update_logging_configuration(config);
    EXPECT_EQ(*store->find_logging_configuration(config.id), config);
}

TEST_F(StoreLoggingConfigurationTest, UpdateOfMissingConfigurationDoesNothing) {
    store->update_logging_configuration(
        sample_logging_configuration("ghost0000001", model::S3DestinationConfiguration{"b"}));
    EXPECT_FALSE(store->find_logging_configuration("ghost0000001").has_value());
    EXPECT_EQ(store->count_logging_configurations(), 0u);
}

TEST_F(StoreLoggingConfigurationTest, DeleteReportsNotFoundInUseAndDeleted) {
    const auto config =
        sample_logging_configuration("inuse0000001", model::S3DestinationConfiguration{"b"});
    store->insert_logging_configuration(config);
    EXPECT_EQ(store->delete_logging_configuration("missing00001"), DeleteOutcome::NotFound);

    model::Room room = sample_room("room00000001");
    room.logging_configuration_identifiers = {config.arn};
    store->insert_room(room);
    EXPECT_EQ(store->delete_logging_configuration(config.id), DeleteOutcome::InUse);
    EXPECT_EQ(*store->find_logging_configuration(config.id), config);  // untouched

    room.logging_configuration_identifiers.clear();
    store->update_room(room);
    EXPECT_EQ(store->delete_logging_configuration(config.id), DeleteOutcome::Deleted);
    EXPECT_FALSE(store->find_logging_configuration(config.id).has_value());
    EXPECT_EQ(store->delete_logging_configuration(config.id), DeleteOutcome::NotFound);
    EXPECT_EQ(store->count_logging_configurations(), 0u);

    // Its tags went with it: a new configuration at the same ARN starts without them.
    auto reborn = config;
    reborn.tags.clear();
    store->insert_logging_configuration(reborn);
    EXPECT_TRUE(store->find_logging_configuration(config.id)->tags.empty());
}

TEST_F(StoreLoggingConfigurationTest, DeletingTheRoomReleasesTheConfiguration) {
    const auto config =
        sample_logging_configuration("inuse0000002", model::S3DestinationConfiguration{"b"});
    store->insert_logging_configuration(config);
    model::Room room = sample_room("room00000002");
    room.logging_configuration_identifiers = {config.arn};
    store->insert_room(room);
    EXPECT_EQ(store->delete_logging_configuration(config.id), DeleteOutcome::InUse);
    EXPECT_TRUE(store->delete_room(room.id));
    EXPECT_EQ(store->delete_logging_configuration(config.id), DeleteOutcome::Deleted);
}

TEST_F(StoreLoggingConfigurationTest, ListReturnsEveryConfigurationWithTags) {
    std::vector<model::LoggingConfiguration> configs = {
        sample_logging_configuration("list00000002", model::S3DestinationConfiguration{"b"}),
        sample_logging_configuration("list00000001",
                                     model::CloudWatchLogsDestinationConfiguration{"g"}),
    };
    configs[1].tags = {{"a", "1"}, {"b", "2"}};
    for (const auto& config : configs) store->insert_logging_configuration(config);
    // A room's tags must not leak into the configurations' listing.
    store->insert_room(sample_room("room00000003"));

    auto listed = store->list_logging_configurations();
    auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
    std::sort(listed.begin(), listed.end(), by_id);
    std::sort(configs.begin(), configs.end(), by_id);
    EXPECT_EQ(listed, configs);
}

}  // namespace
}  // namespace parley::store
