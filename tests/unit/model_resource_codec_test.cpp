// Rooms and logging configurations on the wire: full room, room summary, logging
// configuration with its one-member destination union, ISO 8601 millisecond times.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"
#include "model/resource_codec.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

std::vector<std::string> member_names(const Value& v) {
    std::vector<std::string> names;
    for (const auto& [k, _] : v.members()) names.push_back(k);
    return names;
}

Room plain_room() {
    return Room{.id = "g1H2I3j4k5L6",
                .arn = kRoomArn,
                .create_time = 1673275715358,
                .update_time = 1673275715359};
}

TEST(RoomToValue, DefaultsTagsAndListsAreAlwaysPresent) {
    EXPECT_EQ(
        to_json(room_to_value(plain_room())),
        R"({"arn":")" + kRoomArn +
            R"(","id":"g1H2I3j4k5L6","name":"","createTime":"2023-01-09T14:48:35.358Z",)"
            R"("updateTime":"2023-01-09T14:48:35.359Z","maximumMessageLength":500,)"
            R"("maximumMessageRatePerSecond":10,"tags":{},"loggingConfigurationIdentifiers":[]})");
}

TEST(RoomToValue, HandlerOnlyWhenSet) {
    Room room = plain_room();
    room.message_review_handler =
        MessageReviewHandler{.uri = kLambdaArn, .fallback_result = "DENY"};
    room.tags = {{"team", "blue"}};
    room.logging_configuration_identifiers = {kLoggingArn};
    Value v = room_to_value(room);
    EXPECT_EQ(member_names(v),
              (std::vector<std::string>{"arn", "id", "name", "createTime", "updateTime",
                                        "maximumMessageLength", "maximumMessageRatePerSecond",
                                        "messageReviewHandler", "tags",
                                        "loggingConfigurationIdentifiers"}));
    EXPECT_EQ(to_json(*v.find("messageReviewHandler")),
              R"({"uri":")" + kLambdaArn + R"(","fallbackResult":"DENY"})");
    EXPECT_EQ(to_json(*v.find("tags")), R"({"team":"blue"})");
    EXPECT_EQ(to_json(*v.find("loggingConfigurationIdentifiers")), "[\"" + kLoggingArn + "\"]");

    room.message_review_handler = MessageReviewHandler{.uri = ""};  // "none", never sent
    EXPECT_EQ(room_to_value(room).find("messageReviewHandler"), nullptr);
}

TEST(RoomSummaryToValue, LeavesOutMessageLimits) {
    Value v = room_summary_to_value(plain_room());
    EXPECT_EQ(member_names(v),
              (std::vector<std::string>{"arn", "id", "name", "createTime", "updateTime", "tags",
                                        "loggingConfigurationIdentifiers"}));
}

TEST(LoggingConfigurationToValue, MembersAndOneMemberUnion) {
    LoggingConfiguration c{
        .id = "ABcdef34ghIJ",
        .arn = kLoggingArn,
        .name = "archive",
        .create_time = 0,
        .update_time = 1000,
        .destination_configuration = FirehoseDestinationConfiguration{.delivery_stream_name = "s"},
        .tags = {{"env", "prod"}}};
    EXPECT_EQ(to_json(logging_configuration_to_value(c)),
              R"({"arn":")" + kLoggingArn +
                  R"(","id":"ABcdef34ghIJ","createTime":"1970-01-01T00:00:00.000Z",)"
                  R"("updateTime":"1970-01-01T00:00:01.000Z","name":"archive",)"
                  R"("destinationConfiguration":{"firehose":{"deliveryStreamName":"s"}},)"
                  R"("state":"ACTIVE","tags":{"env":"prod"}})");
}

TEST(DestinationConfigurationToValue, EachKind) {
    EXPECT_EQ(to_json(destination_configuration_to_value(S3DestinationConfiguration{"b"})),
              R"({"s3":{"bucketName":"b"}})");
    EXPECT_EQ(
        to_json(destination_configuration_to_value(CloudWatchLogsDestinationConfiguration{"/g"})),
        R"({"cloudWatchLogs":{"logGroupName":"/g"}})");
    EXPECT_EQ(to_json(destination_configuration_to_value(FirehoseDestinationConfiguration{"f"})),
              R"({"firehose":{"deliveryStreamName":"f"}})");
}

}  // namespace
}  // namespace parley::model
