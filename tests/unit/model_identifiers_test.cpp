// Ids, ARNs and the model's string patterns.
#include <gtest/gtest.h>

#include <set>

#include "model/identifiers.hpp"
#include "model/patterns.hpp"

namespace parley::model {
namespace {

TEST(Identifiers, NewIdsAreTwelveAlphanumericsAndDistinct) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = new_id();
        EXPECT_TRUE(is_id(id)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Identifiers, IsIdChecksLengthAndAlphabet) {
    EXPECT_TRUE(is_id("g1H2I3j4k5L6"));
    EXPECT_FALSE(is_id("g1H2I3j4k5L"));
    EXPECT_FALSE(is_id("g1H2I3j4k5L67"));
    EXPECT_FALSE(is_id("g1H2I3j4k5L-"));
    EXPECT_FALSE(is_id(""));
}

TEST(Identifiers, ArnsAreBuiltAndParsedBack) {
    auto room = room_arn("us-west-2", "123456789012", "g1H2I3j4k5L6");
    EXPECT_EQ(room, "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6");
    auto parts = parse_arn(room);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->region, "us-west-2");
    EXPECT_EQ(parts->account, "123456789012");
    EXPECT_EQ(parts->resource_type, "room");
    EXPECT_EQ(parts->id, "g1H2I3j4k5L6");

    auto logging = logging_configuration_arn("eu-west-1", "000000000000", "ABcdef34ghIJ");
    EXPECT_EQ(logging, "arn:aws:ivschat:eu-west-1:000000000000:logging-configuration/ABcdef34ghIJ");
    ASSERT_TRUE(parse_arn(logging));
    EXPECT_EQ(parse_arn(logging)->resource_type, "logging-configuration");
}

TEST(Identifiers, ParseArnRefusesOtherShapes) {
    for (const char* bad :
         {"", "g1H2I3j4k5L6", "arn:aws:ivs:us-west-2:123456789012:room/g1H2I3j4k5L6",
          "arn:aws:ivschat::123456789012:room/g1H2I3j4k5L6",
          "arn:aws:ivschat:US-WEST-2:123456789012:room/g1H2I3j4k5L6",
          "arn:aws:ivschat:us-west-2::room/g1H2I3j4k5L6",
          "arn:aws:ivschat:us-west-2:12345678901a:room/g1H2I3j4k5L6",
          "arn:aws:ivschat:us-west-2:123456789012:channel/g1H2I3j4k5L6",
          "arn:aws:ivschat:us-west-2:123456789012:room/",
          "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L",
          "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6/x",
          "arn:aws:ivschat:us-west-2:123456789012:room", "arn:aws:ivschat:us-west-2"})
        EXPECT_FALSE(parse_arn(bad)) << bad;
}

TEST(Patterns, RoomAndLoggingArnsAreDistinguished) {
    const char* room = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6";
    const char* logging =
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ABcdef34ghIJ";
    EXPECT_TRUE(is_room_arn(room));
    EXPECT_FALSE(is_room_arn(logging));
    EXPECT_TRUE(is_logging_configuration_arn(logging));
    EXPECT_FALSE(is_logging_configuration_arn(room));
}

TEST(Patterns, ResourceNameAndAlnumId) {
    EXPECT_TRUE(is_resource_name(""));
    EXPECT_TRUE(is_resource_name("a-Z_09"));
    EXPECT_FALSE(is_resource_name("a b"));
    EXPECT_FALSE(is_resource_name("a.b"));
    EXPECT_TRUE(is_alnum_id("abc123"));
    EXPECT_FALSE(is_alnum_id(""));
    EXPECT_FALSE(is_alnum_id("abc_123"));
}

TEST(Patterns, LambdaArnOrEmpty) {
    EXPECT_TRUE(is_lambda_arn_or_empty(""));
    EXPECT_TRUE(is_lambda_arn_or_empty("arn:aws:lambda:us-west-2:123456789012:function:f"));
    EXPECT_TRUE(is_lambda_arn_or_empty("arn:aws:lambda:us-west-2:123456789012:function:f:PROD"));
    for (const char* bad : {"arn:aws:lambda:us-west-2:123456789012:function:",
                            "arn:aws:lambda::123456789012:function:f",
                            "arn:aws:lambda:us-west-2:1234567890123:function:f",
                            "arn:aws:lambda:us-west-2:12345678901:function:f",
                            "arn:aws:lambda:us-west-2:123456789012:layer:f",
                            "arn:aws:lambda:us_west:123456789012:function:f",
                            "arn:aws:lambda:us-west-2:123456789012", "lambda"})
        EXPECT_FALSE(is_lambda_arn_or_empty(bad)) << bad;
}

TEST(Patterns, DestinationNames) {
    EXPECT_TRUE(is_bucket_name("my.bucket-01"));
    EXPECT_FALSE(is_bucket_name("My-Bucket"));
    EXPECT_FALSE(is_bucket_name(""));
    EXPECT_TRUE(is_log_group_name("/aws/ivs-chat_logs.#1"));
    EXPECT_FALSE(is_log_group_name("a:b"));
    EXPECT_FALSE(is_log_group_name(""));
    EXPECT_TRUE(is_delivery_stream_name("Stream_1.a-b"));
    EXPECT_FALSE(is_delivery_stream_name("stream/1"));
    EXPECT_FALSE(is_delivery_stream_name(""));
}

}  // namespace
}  // namespace parley::model
