// CreateRoom, GetRoom, DeleteRoom, UpdateRoom and ListRooms shapes: every bound of every
// constrained member on both sides, UpdateRoom's apply_to semantics, member names on the wire.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"
#include "model/room_shapes.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

Value tags_of(std::size_t entries) {
    Members ms;
    for (std::size_t i = 0; i < entries; ++i) ms.emplace_back("k" + std::to_string(i), "v");
    return Value::structure(std::move(ms));
}

Value logging_ids_of(std::size_t n) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i) ids.push_back(kLoggingArn);
    return Value::string_list(ids);
}

auto resource_name = [](std::size_t n) { return repeat(n, 'r'); };

// ---- CreateRoom ----

TEST(CreateRoomRequest, EmptyBodyIsAValidRoomWithDefaults) {
    auto req = CreateRoomRequest::from_value(parse("{}"));
    EXPECT_FALSE(req.name);
    EXPECT_FALSE(req.maximum_message_length);
    Room room;
    req.apply_to(room);
    EXPECT_EQ(room.maximum_message_length, 500);
    EXPECT_EQ(room.maximum_message_rate_per_second, 10);
    EXPECT_FALSE(room.message_review_handler);
    EXPECT_TRUE(room.tags.empty());
}

TEST(CreateRoomRequest, NullMembersCountAsAbsent) {
    EXPECT_TRUE(accepts<CreateRoomRequest>(parse(R"({"name":null,"tags":null})")));
}

TEST(CreateRoomRequest, NameBoundsAndPattern) {
    Value base = Value::structure();
    expect_string_bounds<CreateRoomRequest>(at(base, "name"), "name", 0, 128, resource_name);
    EXPECT_TRUE(accepts<CreateRoomRequest>(with(base, "name", "a-Z_09")));
    EXPECT_TRUE(refuses<CreateRoomRequest>(with(base, "name", "has space"), "name"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(with(base, "name", "caf\xc3\xa9"), "name"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(with(base, "name", 5), "name"));
}

TEST(CreateRoomRequest, MessageLimitsBounds) {
    Value base = Value::structure();
    expect_integer_bounds<CreateRoomRequest>(at(base, "maximumMessageRatePerSecond"),
                                             "maximumMessageRatePerSecond", 1, 100);
    expect_integer_bounds<CreateRoomRequest>(at(base, "maximumMessageLength"),
                                             "maximumMessageLength", 1, 500);
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"maximumMessageLength":true})"),
                                           "maximumMessageLength"));
}

TEST(CreateRoomRequest, ReviewHandlerUriBoundsAndPattern) {
    auto place = [](Value uri) {
        return Value::structure({{"messageReviewHandler", Value::structure({{"uri", uri}})}});
    };
    expect_string_bounds<CreateRoomRequest>(place, "messageReviewHandler.uri", 0, 170,
                                            lambda_uri_of_length);
    EXPECT_TRUE(accepts<CreateRoomRequest>(place("")));  // empty means "no handler"
    for (const char* bad :
         {"arn:aws:lambda:us-west-2:12345678901:function:f",  // 11-digit account
          "arn:aws:lambda:us-west-2:123456789012:function:",  // no function name
          "arn:aws:lambda:US-WEST-2:123456789012:function:f", "arn:aws:s3:::bucket", "f"}) {
        EXPECT_TRUE(refuses<CreateRoomRequest>(place(bad), "messageReviewHandler.uri")) << bad;
    }
}

TEST(CreateRoomRequest, ReviewHandlerFallbackResultEnum) {
    auto place = [](Value fallback) {
        return Value::structure(
            {{"messageReviewHandler",
              Value::structure({{"uri", kLambdaArn}, {"fallbackResult", fallback}})}});
    };
    auto allow = CreateRoomRequest::from_value(place("ALLOW"));
    EXPECT_EQ(allow.message_review_handler->fallback_result, "ALLOW");
    auto deny = CreateRoomRequest::from_value(place("DENY"));
    EXPECT_EQ(deny.message_review_handler->fallback_result, "DENY");
    EXPECT_TRUE(refuses<CreateRoomRequest>(place("allow"), "messageReviewHandler.fallbackResult"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(place("REJECT"), "messageReviewHandler.fallbackResult"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(place(1), "messageReviewHandler.fallbackResult"));
}

TEST(CreateRoomRequest, ReviewHandlerWithoutFallbackGetsAllow) {
    auto req = CreateRoomRequest::from_value(
        Value::structure({{"messageReviewHandler", Value::structure({{"uri", kLambdaArn}})}}));
    ASSERT_TRUE(req.message_review_handler);
    EXPECT_EQ(req.message_review_handler->uri, kLambdaArn);
    EXPECT_EQ(req.message_review_handler->fallback_result, "ALLOW");
}

TEST(CreateRoomRequest, ReviewHandlerMustBeAnObject) {
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"messageReviewHandler":"x"})"),
                                           "messageReviewHandler"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"messageReviewHandler":[]})"),
                                           "messageReviewHandler"));
}

TEST(CreateRoomRequest, TagsBounds) {
    Value base = Value::structure();
    EXPECT_TRUE(accepts<CreateRoomRequest>(with(base, "tags", tags_of(0))));
    EXPECT_TRUE(accepts<CreateRoomRequest>(with(base, "tags", tags_of(50))));
    EXPECT_TRUE(refuses<CreateRoomRequest>(with(base, "tags", tags_of(51)), "tags"));

    auto one_tag = [&](std::string key, std::string value) {
        return with(base, "tags", Value::structure({{std::move(key), std::move(value)}}));
    };
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag("", "v"), "tags"));
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag("k", "v")));
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag(repeat(128), "v")));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag(repeat(129), "v"), "tags"));
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag("k", "")));
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag("k", repeat(256))));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag("k", repeat(257)), "tags"));
    // Lengths are code points, not bytes: 128 two-byte characters are a valid key.
    std::string wide_key;
    for (int i = 0; i < 128; ++i) wide_key += "\xc3\xa9";
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag(wide_key, "v")));
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"tags":{"k":1}})"), "tags"));
    // AWS reserves the aws: prefix, in keys and values, in any letter case.
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag("aws:team", "v"), "tags"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag("AWS:team", "v"), "tags"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one_tag("k", "Aws:value"), "tags"));
    EXPECT_TRUE(accepts<CreateRoomRequest>(one_tag("awsteam", "aws")));
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"tags":["k"]})"), "tags"));
}

TEST(CreateRoomRequest, LoggingConfigurationIdentifiersBounds) {
    Value base = Value::structure();
    for (std::size_t n : {0u, 1u, 3u})
        EXPECT_TRUE(accepts<CreateRoomRequest>(
            with(base, "loggingConfigurationIdentifiers", logging_ids_of(n))))
            << n;
    EXPECT_TRUE(
        refuses<CreateRoomRequest>(with(base, "loggingConfigurationIdentifiers", logging_ids_of(4)),
                                   "loggingConfigurationIdentifiers"));

    auto one = [&](std::string id) {
        return with(base, "loggingConfigurationIdentifiers", Value::string_list({std::move(id)}));
    };
    EXPECT_TRUE(accepts<CreateRoomRequest>(one(logging_arn_of_length(128))));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one(logging_arn_of_length(129)),
                                           "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one(""), "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one(kRoomArn), "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(one("ABcdef34ghIJ"), "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"loggingConfigurationIdentifiers":"x"})"),
                                           "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(refuses<CreateRoomRequest>(parse(R"({"loggingConfigurationIdentifiers":[1]})"),
                                           "loggingConfigurationIdentifiers"));
}

TEST(CreateRoomRequest, ListsEveryBadFieldAtOnce) {
    try {
        CreateRoomRequest::from_value(parse(
            R"({"name":"bad name","maximumMessageLength":0,"maximumMessageRatePerSecond":101,
                "messageReviewHandler":{"uri":"nope","fallbackResult":"MAYBE"}})"));
        FAIL() << "expected a ValidationException";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.reason, "FIELD_VALIDATION_FAILED");
        std::vector<std::string> names;
        for (const auto& f : e.field_list) names.push_back(f.name);
        EXPECT_EQ(names, (std::vector<std::string>{
                             "name", "maximumMessageRatePerSecond", "maximumMessageLength",
                             "messageReviewHandler.uri", "messageReviewHandler.fallbackResult"}));
    }
}

TEST(CreateRoomRequest, BodyMustBeAnObject) {
    EXPECT_FALSE(accepts<CreateRoomRequest>(parse("[]")));
    EXPECT_FALSE(accepts<CreateRoomRequest>(parse("\"room\"")));
}

TEST(CreateRoomRequest, ToValueUsesModelNamesAndRoundTrips) {
    CreateRoomRequest req{
        .name = "lobby",
        .maximum_message_rate_per_second = 5,
        .maximum_message_length = 200,
        .message_review_handler =
            MessageReviewHandler{.uri = kLambdaArn, .fallback_result = "DENY"},
        .tags = Tags{{"team", "blue"}},
        .logging_configuration_identifiers = std::vector<std::string>{kLoggingArn},
    };
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"name":"lobby","maximumMessageRatePerSecond":5,"maximumMessageLength":200,)"
                    R"("messageReviewHandler":{"uri":")" +
                        kLambdaArn + R"(","fallbackResult":"DENY"},"tags":{"team":"blue"},)" +
                        R"("loggingConfigurationIdentifiers":[")" + kLoggingArn + R"("]})");
    EXPECT_EQ(to_json(CreateRoomRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(CreateRoomRequest{}.to_value()), "{}");
}

TEST(CreateRoomRequest, ApplyToFillsGivenMembers) {
    Room room{.id = "g1H2I3j4k5L6", .arn = kRoomArn};
    CreateRoomRequest{.name = "lobby",
                      .maximum_message_length = 42,
                      .message_review_handler = MessageReviewHandler{.uri = kLambdaArn},
                      .tags = Tags{{"a", "b"}}}
        .apply_to(room);
    EXPECT_EQ(room.name, "lobby");
    EXPECT_EQ(room.maximum_message_length, 42);
    EXPECT_EQ(room.maximum_message_rate_per_second, 10);
    ASSERT_TRUE(room.message_review_handler);
    EXPECT_EQ(room.message_review_handler->fallback_result, "ALLOW");
    EXPECT_EQ(room.tags, (Tags{{"a", "b"}}));

    Room no_handler;
    CreateRoomRequest{.message_review_handler = MessageReviewHandler{.uri = ""}}.apply_to(
        no_handler);
    EXPECT_FALSE(no_handler.message_review_handler);
}

// ---- GetRoom / DeleteRoom ----

template <class Shape>
void expect_room_identifier_rules() {
    EXPECT_EQ(Shape::from_value(Value::structure({{"identifier", kRoomArn}})).identifier, kRoomArn);
    EXPECT_TRUE(refuses<Shape>(parse("{}"), "identifier"));
    EXPECT_TRUE(refuses<Shape>(parse(R"({"identifier":null})"), "identifier"));
    auto place = at(Value::structure(), "identifier");
    EXPECT_TRUE(refuses<Shape>(place(""), "identifier"));
    EXPECT_TRUE(accepts<Shape>(place(room_arn_of_length(128))));
    EXPECT_TRUE(refuses<Shape>(place(room_arn_of_length(129)), "identifier"));
    EXPECT_TRUE(refuses<Shape>(place("g1H2I3j4k5L6"), "identifier"));  // bare id
    EXPECT_TRUE(refuses<Shape>(place(kLoggingArn), "identifier"));
    EXPECT_TRUE(
        refuses<Shape>(place("arn:aws:ivschat:us-west-2:123456789012:room/short"), "identifier"));
    EXPECT_TRUE(refuses<Shape>(place(12), "identifier"));
}

TEST(GetRoomRequest, IdentifierIsARequiredRoomArn) {
    expect_room_identifier_rules<GetRoomRequest>();
    EXPECT_EQ(to_json(GetRoomRequest{.identifier = kRoomArn}.to_value()),
              R"({"identifier":")" + kRoomArn + R"("})");
}

TEST(DeleteRoomRequest, IdentifierIsARequiredRoomArn) {
    expect_room_identifier_rules<DeleteRoomRequest>();
    EXPECT_EQ(to_json(DeleteRoomRequest{.identifier = kRoomArn}.to_value()),
              R"({"identifier":")" + kRoomArn + R"("})");
}

// ---- UpdateRoom ----

TEST(UpdateRoomRequest, IdentifierRequiredOthersOptional) {
    expect_room_identifier_rules<UpdateRoomRequest>();
    auto req = UpdateRoomRequest::from_value(Value::structure({{"identifier", kRoomArn}}));
    EXPECT_FALSE(req.name || req.maximum_message_length || req.maximum_message_rate_per_second ||
                 req.message_review_handler || req.logging_configuration_identifiers);
}

TEST(UpdateRoomRequest, MembersHaveCreateRoomBounds) {
    Value base = Value::structure({{"identifier", kRoomArn}});
    expect_string_bounds<UpdateRoomRequest>(at(base, "name"), "name", 0, 128, resource_name);
    EXPECT_TRUE(refuses<UpdateRoomRequest>(with(base, "name", "a/b"), "name"));
    expect_integer_bounds<UpdateRoomRequest>(at(base, "maximumMessageRatePerSecond"),
                                             "maximumMessageRatePerSecond", 1, 100);
    expect_integer_bounds<UpdateRoomRequest>(at(base, "maximumMessageLength"),
                                             "maximumMessageLength", 1, 500);
    auto handler = [&](Value uri) {
        return with(base, "messageReviewHandler", Value::structure({{"uri", uri}}));
    };
    expect_string_bounds<UpdateRoomRequest>(handler, "messageReviewHandler.uri", 0, 170,
                                            lambda_uri_of_length);
    EXPECT_TRUE(accepts<UpdateRoomRequest>(handler("")));
    EXPECT_TRUE(refuses<UpdateRoomRequest>(
        with(base, "messageReviewHandler",
             Value::structure({{"uri", kLambdaArn}, {"fallbackResult", "NO"}})),
        "messageReviewHandler.fallbackResult"));
    EXPECT_TRUE(accepts<UpdateRoomRequest>(
        with(base, "loggingConfigurationIdentifiers", logging_ids_of(3))));
    EXPECT_TRUE(
        refuses<UpdateRoomRequest>(with(base, "loggingConfigurationIdentifiers", logging_ids_of(4)),
                                   "loggingConfigurationIdentifiers"));
    EXPECT_TRUE(accepts<UpdateRoomRequest>(
        with(base, "loggingConfigurationIdentifiers", logging_ids_of(0))));
}

Room sample_room() {
    return Room{
        .id = "g1H2I3j4k5L6",
        .arn = kRoomArn,
        .name = "lobby",
        .create_time = 1000,
        .update_time = 2000,
        .maximum_message_length = 300,
        .maximum_message_rate_per_second = 7,
        .message_review_handler =
            MessageReviewHandler{.uri = kLambdaArn, .fallback_result = "DENY"},
        .logging_configuration_identifiers = {kLoggingArn},
        .tags = {{"team", "blue"}},
    };
}

TEST(UpdateRoomRequest, ApplyToWithOnlyIdentifierChangesNothing) {
    Room room = sample_room();
    UpdateRoomRequest{.identifier = kRoomArn}.apply_to(room);
    EXPECT_EQ(room, sample_room());
}

TEST(UpdateRoomRequest, ApplyToChangesOnlyNamedMembers) {
    Room room = sample_room();
    UpdateRoomRequest{.identifier = kRoomArn, .maximum_message_length = 50}.apply_to(room);
    Room expected = sample_room();
    expected.maximum_message_length = 50;
    EXPECT_EQ(room, expected);

    UpdateRoomRequest{.identifier = kRoomArn, .name = "", .maximum_message_rate_per_second = 100}
        .apply_to(room);
    expected.name = "";
    expected.maximum_message_rate_per_second = 100;
    EXPECT_EQ(room, expected);
    EXPECT_EQ(room.update_time, 2000);  // the caller stamps update_time
}

TEST(UpdateRoomRequest, LoggingIdentifiersReplaceTheListAndEmptyClearsIt) {
    const std::string other =
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/"
        "ZZZZZZZZZZZZ";
    Room room = sample_room();
    UpdateRoomRequest{
        .identifier = kRoomArn,
        .logging_configuration_identifiers = std::vector<std::string>{other, kLoggingArn}}
        .apply_to(room);
    EXPECT_EQ(room.logging_configuration_identifiers,
              (std::vector<std::string>{other, kLoggingArn}));  // order kept

    auto clear = UpdateRoomRequest::from_value(
        parse(R"({"identifier":")" + kRoomArn + R"(","loggingConfigurationIdentifiers":[]})"));
    clear.apply_to(room);
    EXPECT_TRUE(room.logging_configuration_identifiers.empty());
}

TEST(UpdateRoomRequest, EmptyHandlerUriRemovesTheHandler) {
    Room room = sample_room();
    auto req = UpdateRoomRequest::from_value(
        parse(R"({"identifier":")" + kRoomArn + R"(","messageReviewHandler":{"uri":""}})"));
    req.apply_to(room);
    EXPECT_FALSE(room.message_review_handler);
}

TEST(UpdateRoomRequest, HandlerWithoutFallbackGetsAllow) {
    Room room = sample_room();  // fallback DENY before
    const std::string other = "arn:aws:lambda:us-west-2:123456789012:function:other";
    auto req = UpdateRoomRequest::from_value(parse(R"({"identifier":")" + kRoomArn +
                                                   R"(","messageReviewHandler":{"uri":")" + other +
                                                   R"("}})"));
    req.apply_to(room);
    ASSERT_TRUE(room.message_review_handler);
    EXPECT_EQ(room.message_review_handler->uri, other);
    EXPECT_EQ(room.message_review_handler->fallback_result, "ALLOW");

    Room plain;  // a room without a handler gains one
    UpdateRoomRequest{.identifier = kRoomArn,
                      .message_review_handler = MessageReviewHandler{.uri = other}}
        .apply_to(plain);
    EXPECT_EQ(plain.message_review_handler, (MessageReviewHandler{other, "ALLOW"}));
}

TEST(UpdateRoomRequest, ToValueUsesModelNamesAndRoundTrips) {
    UpdateRoomRequest req{.identifier = kRoomArn,
                          .maximum_message_length = 10,
                          .logging_configuration_identifiers = std::vector<std::string>{}};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"identifier":")" + kRoomArn +
                        R"(","maximumMessageLength":10,"loggingConfigurationIdentifiers":[]})");
    EXPECT_EQ(to_json(UpdateRoomRequest::from_value(parse(json)).to_value()), json);
}

// ---- ListRooms ----

TEST(ListRoomsRequest, EmptyIsValid) {
    auto req = ListRoomsRequest::from_value(parse("{}"));
    EXPECT_FALSE(req.name || req.next_token || req.max_results || req.message_review_handler_uri ||
                 req.logging_configuration_identifier);
}

TEST(ListRoomsRequest, FilterAndPagingBounds) {
    Value base = Value::structure();
    expect_string_bounds<ListRoomsRequest>(at(base, "name"), "name", 0, 128, resource_name);
    EXPECT_TRUE(refuses<ListRoomsRequest>(with(base, "name", "a b"), "name"));
    expect_string_bounds<ListRoomsRequest>(at(base, "nextToken"), "nextToken", 0, 1024,
                                           [](std::size_t n) { return repeat(n, 't'); });
    expect_integer_bounds<ListRoomsRequest>(at(base, "maxResults"), "maxResults", 1, 50);
    expect_string_bounds<ListRoomsRequest>(at(base, "messageReviewHandlerUri"),
                                           "messageReviewHandlerUri", 0, 170, lambda_uri_of_length);
    EXPECT_TRUE(accepts<ListRoomsRequest>(with(base, "messageReviewHandlerUri", "")));
    EXPECT_TRUE(refuses<ListRoomsRequest>(with(base, "messageReviewHandlerUri", "lambda"),
                                          "messageReviewHandlerUri"));
    auto logging = at(base, "loggingConfigurationIdentifier");
    EXPECT_TRUE(refuses<ListRoomsRequest>(logging(""), "loggingConfigurationIdentifier"));
    EXPECT_TRUE(accepts<ListRoomsRequest>(logging(logging_arn_of_length(128))));
    EXPECT_TRUE(refuses<ListRoomsRequest>(logging(logging_arn_of_length(129)),
                                          "loggingConfigurationIdentifier"));
    EXPECT_TRUE(refuses<ListRoomsRequest>(logging(kRoomArn), "loggingConfigurationIdentifier"));
}

TEST(ListRoomsRequest, ToValueUsesModelNamesAndRoundTrips) {
    ListRoomsRequest req{.name = "lobby",
                         .next_token = "abc",
                         .max_results = 5,
                         .message_review_handler_uri = kLambdaArn,
                         .logging_configuration_identifier = kLoggingArn};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"name":"lobby","nextToken":"abc","maxResults":5,)"
                    R"("messageReviewHandlerUri":")" +
                        kLambdaArn + R"(","loggingConfigurationIdentifier":")" + kLoggingArn +
                        R"("})");
    EXPECT_EQ(to_json(ListRoomsRequest::from_value(parse(json)).to_value()), json);
}

TEST(ListRoomsResponse, WritesRoomSummariesWithoutMessageLimits) {
    ListRoomsResponse resp{.rooms = {sample_room()}, .next_token = "next"};
    Value v = resp.to_value();
    ASSERT_NE(v.find("rooms"), nullptr);
    ASSERT_EQ(v.find("rooms")->as_list().size(), 1u);
    const Value& summary = v.find("rooms")->as_list()[0];
    std::vector<std::string> names;
    for (const auto& [k, _] : summary.members()) names.push_back(k);
    EXPECT_EQ(names, (std::vector<std::string>{"arn", "id", "name", "createTime", "updateTime",
                                               "messageReviewHandler", "tags",
                                               "loggingConfigurationIdentifiers"}));
    EXPECT_EQ(v.find("nextToken")->as_string(), "next");
}

TEST(ListRoomsResponse, LastPageHasNoNextTokenAndEmptyListIsAList) {
    EXPECT_EQ(to_json(ListRoomsResponse{}.to_value()), R"({"rooms":[]})");
}

}  // namespace
}  // namespace parley::model
