// SendEvent, DeleteMessage and DisconnectUser shapes: bounds on both sides, the 1 KB
// attributes limit, and the responses' member names.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"
#include "model/room_event_shapes.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

// Attributes whose keys and values add up to exactly `bytes` UTF-8 bytes.
Value attributes_of_bytes(std::size_t bytes) {
    Members ms;
    ms.emplace_back("a", repeat(bytes / 2 - 1, 'x'));          // 1 + (b/2 - 1)
    ms.emplace_back("b", repeat(bytes - bytes / 2 - 1, 'y'));  // 1 + (b - b/2 - 1)
    return Value::structure(std::move(ms));
}

template <class Shape>
void expect_room_identifier_rules(Value base) {
    EXPECT_TRUE(accepts<Shape>(with(base, "roomIdentifier", kRoomArn)));
    EXPECT_TRUE(refuses<Shape>(base, "roomIdentifier"));
    auto place = at(base, "roomIdentifier");
    EXPECT_TRUE(refuses<Shape>(place(""), "roomIdentifier"));
    EXPECT_TRUE(accepts<Shape>(place(room_arn_of_length(128))));
    EXPECT_TRUE(refuses<Shape>(place(room_arn_of_length(129)), "roomIdentifier"));
    EXPECT_TRUE(refuses<Shape>(place("g1H2I3j4k5L6"), "roomIdentifier"));
    EXPECT_TRUE(refuses<Shape>(place(kLoggingArn), "roomIdentifier"));
}

// ---- SendEvent ----

TEST(SendEventRequest, RequiredMembers) {
    expect_room_identifier_rules<SendEventRequest>(Value::structure({{"eventName", "e"}}));
    EXPECT_TRUE(
        refuses<SendEventRequest>(Value::structure({{"roomIdentifier", kRoomArn}}), "eventName"));
    EXPECT_EQ(errors_of<SendEventRequest>(parse("{}")),
              (std::vector<std::string>{"roomIdentifier", "eventName"}));
}

TEST(SendEventRequest, EventNameBounds) {
    expect_string_bounds<SendEventRequest>(
        at(Value::structure({{"roomIdentifier", kRoomArn}}), "eventName"), "eventName", 1, 100,
        [](std::size_t n) { return repeat(n, 'e'); });
}

TEST(SendEventRequest, AttributesAreLimitedToOneKilobyte) {
    Value base = Value::structure({{"roomIdentifier", kRoomArn}, {"eventName", "app:poll"}});
    EXPECT_TRUE(accepts<SendEventRequest>(with(base, "attributes", Value::structure())));
    EXPECT_TRUE(accepts<SendEventRequest>(with(base, "attributes", attributes_of_bytes(1024))));
    EXPECT_TRUE(refuses<SendEventRequest>(with(base, "attributes", attributes_of_bytes(1025)),
                                          "attributes"));
    // Bytes, not code points: 512 two-byte characters are 1024 bytes, 513 are too many.
    std::string wide;
    for (int i = 0; i < 511; ++i) wide += "\xc3\xa9";
    EXPECT_TRUE(accepts<SendEventRequest>(
        with(base, "attributes", Value::structure({{"k", wide + "x"}}))));  // 1 + 1022 + 1
    EXPECT_TRUE(refuses<SendEventRequest>(
        with(base, "attributes", Value::structure({{"k", wide + "\xc3\xa9"}})), "attributes"));
    EXPECT_TRUE(refuses<SendEventRequest>(with(base, "attributes", Value::structure({{"k", 1}})),
                                          "attributes"));
}

TEST(SendEventRequest, ToValueUsesModelNamesAndRoundTrips) {
    SendEventRequest req{.room_identifier = kRoomArn,
                         .event_name = "app:poll",
                         .attributes = Attributes{{"question", "tea?"}}};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"roomIdentifier":")" + kRoomArn +
                        R"(","eventName":"app:poll","attributes":{"question":"tea?"}})");
    EXPECT_EQ(to_json(SendEventRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(SendEventResponse{.id = "AbCdEf123456"}.to_value()),
              R"({"id":"AbCdEf123456"})");
}

// ---- DeleteMessage ----

TEST(DeleteMessageRequest, RequiredMembers) {
    expect_room_identifier_rules<DeleteMessageRequest>(Value::structure({{"id", "AbCdEf123456"}}));
    EXPECT_EQ(errors_of<DeleteMessageRequest>(parse("{}")),
              (std::vector<std::string>{"roomIdentifier", "id"}));
}

TEST(DeleteMessageRequest, IdIsExactlyTwelveAlphanumerics) {
    auto place = at(Value::structure({{"roomIdentifier", kRoomArn}}), "id");
    EXPECT_TRUE(refuses<DeleteMessageRequest>(place("AbCdEf12345"), "id"));    // 11
    EXPECT_TRUE(accepts<DeleteMessageRequest>(place("AbCdEf123456")));         // 12
    EXPECT_TRUE(refuses<DeleteMessageRequest>(place("AbCdEf1234567"), "id"));  // 13
    EXPECT_TRUE(refuses<DeleteMessageRequest>(place(""), "id"));
    EXPECT_TRUE(refuses<DeleteMessageRequest>(place("AbCdEf-23456"), "id"));
    EXPECT_TRUE(refuses<DeleteMessageRequest>(place("AbCdEf12345\xc3\xa9"), "id"));
}

TEST(DeleteMessageRequest, ReasonBounds) {
    Value base = Value::structure({{"roomIdentifier", kRoomArn}, {"id", "AbCdEf123456"}});
    expect_string_bounds<DeleteMessageRequest>(at(base, "reason"), "reason", 1, 256,
                                               [](std::size_t n) { return repeat(n, 'r'); });
    EXPECT_TRUE(accepts<DeleteMessageRequest>(base));
}

TEST(DeleteMessageRequest, ToValueUsesModelNamesAndRoundTrips) {
    DeleteMessageRequest req{.room_identifier = kRoomArn, .id = "AbCdEf123456", .reason = "spam"};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json,
              R"({"roomIdentifier":")" + kRoomArn + R"(","id":"AbCdEf123456","reason":"spam"})");
    EXPECT_EQ(to_json(DeleteMessageRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(DeleteMessageResponse{.id = "ZYXWVU987654"}.to_value()),
              R"({"id":"ZYXWVU987654"})");
}

// ---- DisconnectUser ----

TEST(DisconnectUserRequest, RequiredMembers) {
    expect_room_identifier_rules<DisconnectUserRequest>(Value::structure({{"userId", "alice"}}));
    EXPECT_EQ(errors_of<DisconnectUserRequest>(parse("{}")),
              (std::vector<std::string>{"roomIdentifier", "userId"}));
}

TEST(DisconnectUserRequest, UserIdAndReasonBounds) {
    Value base = Value::structure({{"roomIdentifier", kRoomArn}, {"userId", "alice"}});
    expect_string_bounds<DisconnectUserRequest>(at(base, "userId"), "userId", 1, 128,
                                                [](std::size_t n) { return repeat(n, 'u'); });
    expect_string_bounds<DisconnectUserRequest>(at(base, "reason"), "reason", 1, 256,
                                                [](std::size_t n) { return repeat(n, 'r'); });
}

TEST(DisconnectUserRequest, ToValueUsesModelNamesAndRoundTrips) {
    DisconnectUserRequest req{.room_identifier = kRoomArn, .user_id = "alice"};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"roomIdentifier":")" + kRoomArn + R"(","userId":"alice"})");
    EXPECT_EQ(to_json(DisconnectUserRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(DisconnectUserResponse{}.to_value()), "{}");
}

}  // namespace
}  // namespace parley::model

// ---- Parley extensions: timestamps of ListRoomMessages ----
#include "model/extension_shapes.hpp"

TEST(ExtensionShapes, ParsesIso8601Timestamps) {
    using parley::model::parse_iso8601_nanos;
    EXPECT_EQ(parse_iso8601_nanos("1970-01-01T00:00:01Z"), 1'000'000'000);
    EXPECT_EQ(parse_iso8601_nanos("1970-01-01T00:00:01.5Z"), 1'500'000'000);
    EXPECT_EQ(parse_iso8601_nanos("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(parse_iso8601_nanos("2022-12-02T08:21:20.754555595Z"), 1669969280754555595);
    EXPECT_FALSE(parse_iso8601_nanos("yesterday"));
    EXPECT_FALSE(parse_iso8601_nanos("2022-13-02T08:21:20Z"));
    EXPECT_FALSE(parse_iso8601_nanos("2022-12-02T08:21:20"));
}
