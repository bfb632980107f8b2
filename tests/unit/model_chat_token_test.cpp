// CreateChatToken, the seed shape: named-argument construction, every bound, the 1 KB
// attributes limit and the response's member names and time format.
#include <gtest/gtest.h>

#include "model/chat_token_shapes.hpp"
#include "model/json_codec.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

Value minimal() {
    return Value::structure({{"roomIdentifier", kRoomArn}, {"userId", "alice"}});
}

TEST(CreateChatTokenRequest, NamedArgumentsAndToValue) {
    auto req = CreateChatTokenRequest{.room_identifier = kRoomArn, .user_id = "alice"};
    EXPECT_EQ(to_json(req.to_value()),
              R"({"roomIdentifier":")" + kRoomArn + R"(","userId":"alice"})");

    auto full = CreateChatTokenRequest{.room_identifier = kRoomArn,
                                       .user_id = "bob",
                                       .capabilities = std::vector<std::string>{"SEND_MESSAGE"},
                                       .session_duration_in_minutes = 30,
                                       .attributes = Attributes{{"displayName", "Bob"}}};
    std::string json = to_json(full.to_value());
    EXPECT_EQ(json, R"({"roomIdentifier":")" + kRoomArn +
                        R"(","userId":"bob","capabilities":["SEND_MESSAGE"],)"
                        R"("sessionDurationInMinutes":30,"attributes":{"displayName":"Bob"}})");
    auto back = CreateChatTokenRequest::from_value(parse(json));
    EXPECT_EQ(to_json(back.to_value()), json);
}

TEST(CreateChatTokenRequest, RequiredMembers) {
    EXPECT_EQ(errors_of<CreateChatTokenRequest>(parse("{}")),
              (std::vector<std::string>{"roomIdentifier", "userId"}));
    auto req = CreateChatTokenRequest::from_value(minimal());
    EXPECT_FALSE(req.capabilities);
    EXPECT_FALSE(req.session_duration_in_minutes);
    EXPECT_FALSE(req.attributes);
}

TEST(CreateChatTokenRequest, RoomIdentifierBoundsAndPattern) {
    auto place = at(minimal(), "roomIdentifier");
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(""), "roomIdentifier"));
    EXPECT_TRUE(accepts<CreateChatTokenRequest>(place(room_arn_of_length(128))));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(room_arn_of_length(129)), "roomIdentifier"));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place("g1H2I3j4k5L6"), "roomIdentifier"));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(kLoggingArn), "roomIdentifier"));
}

TEST(CreateChatTokenRequest, UserIdBounds) {
    expect_string_bounds<CreateChatTokenRequest>(at(minimal(), "userId"), "userId", 1, 128,
                                                 [](std::size_t n) { return repeat(n, 'u'); });
}

TEST(CreateChatTokenRequest, SessionDurationBounds) {
    expect_integer_bounds<CreateChatTokenRequest>(at(minimal(), "sessionDurationInMinutes"),
                                                  "sessionDurationInMinutes", 1, 180);
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(with(minimal(), "sessionDurationInMinutes", true),
                                                "sessionDurationInMinutes"));
}

TEST(CreateChatTokenRequest, CapabilitiesEnum) {
    auto place = at(minimal(), "capabilities");
    EXPECT_TRUE(accepts<CreateChatTokenRequest>(place(Value::string_list({}))));
    EXPECT_TRUE(accepts<CreateChatTokenRequest>(
        place(Value::string_list({"SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"}))));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(Value::string_list({"send_message"})),
                                                "capabilities"));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(Value::string_list({"VIEW_MESSAGE"})),
                                                "capabilities"));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place("SEND_MESSAGE"), "capabilities"));
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(List{Value(1)}), "capabilities"));
}

TEST(CreateChatTokenRequest, AttributesAreLimitedToOneKilobyte) {
    auto place = at(minimal(), "attributes");
    EXPECT_TRUE(accepts<CreateChatTokenRequest>(place(Value::structure())));
    EXPECT_TRUE(accepts<CreateChatTokenRequest>(
        place(Value::structure({{"k", repeat(1023, 'v')}}))));  // 1 + 1023 = 1024 bytes
    EXPECT_TRUE(refuses<CreateChatTokenRequest>(place(Value::structure({{"k", repeat(1024, 'v')}})),
                                                "attributes"));
    EXPECT_TRUE(
        refuses<CreateChatTokenRequest>(place(Value::structure({{"k", true}})), "attributes"));
}

TEST(CreateChatTokenRequest, EveryBadFieldIsListed) {
    try {
        CreateChatTokenRequest::from_value(
            parse(R"({"roomIdentifier":"room","userId":"","sessionDurationInMinutes":0})"));
        FAIL() << "expected a ValidationException";
    } catch (const ApiError& e) {
        ASSERT_EQ(e.field_list.size(), 3u);
        EXPECT_EQ(e.field_list[0].name, "roomIdentifier");
        EXPECT_EQ(e.field_list[1].name, "userId");
        EXPECT_EQ(e.field_list[2].name, "sessionDurationInMinutes");
        Value body = e.to_value();
        EXPECT_EQ(body.find("reason")->as_string(), "FIELD_VALIDATION_FAILED");
        EXPECT_EQ(body.find("fieldList")->as_list().size(), 3u);
    }
}

TEST(CreateChatTokenResponse, MemberNamesAndIsoTimes) {
    CreateChatTokenResponse resp{.token = "tok",
                                 .token_expiration_time = 1670005355000,
                                 .session_expiration_time = 1670008955000};
    EXPECT_EQ(to_json(resp.to_value()),
              R"({"token":"tok","tokenExpirationTime":"2022-12-02T18:22:35.000Z",)"
              R"("sessionExpirationTime":"2022-12-02T19:22:35.000Z"})");
}

}  // namespace
}  // namespace parley::model
