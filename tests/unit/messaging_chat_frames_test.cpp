// MESSAGE / EVENT / ERROR payloads byte for byte: the service's key order, empty RequestId as "",
// null Attributes, numeric ErrorCode, JSON escaping, and the shared text frame around them.
#include "messaging/chat_frames.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "model/json_codec.hpp"
#include "model/value.hpp"

namespace parley::messaging {
namespace {

// 2022-12-02T08:21:20.754555595Z, the send time of a captured real frame.
constexpr std::int64_t kSendTime = 1669969280754555595;

ChatMessage sample_message() {
    return ChatMessage{.id = "M2YcHkgffEvU",
                       .request_id = "8fe65e61-1fa2-4563-a90d-c53521e0e63c",
                       .attributes = std::nullopt,
                       .content = "Hi",
                       .send_time_ns = kSendTime,
                       .sender_user_id = "alice",
                       .sender_attributes = {{"avatar", "dog.png"}, {"username", "xxxxxxx"}}};
}

// Parses `json` and checks it is a JSON object (the frame must be valid JSON for the SDK).
model::Value parse_object(const std::string& json) {
    auto r = model::parse_json(json);
    EXPECT_TRUE(r.value.has_value()) << json;
    if (!r.value) return model::Value::structure();
    EXPECT_EQ(r.value->kind(), model::Value::Kind::Structure);
    return *r.value;
}

TEST(MessageJson, MatchesTheCapturedServiceFrameExactly) {
    EXPECT_EQ(
        message_json(sample_message()),
        R"({"Type":"MESSAGE","Id":"M2YcHkgffEvU",)"
        R"("RequestId":"8fe65e61-1fa2-4563-a90d-c53521e0e63c","Attributes":null,)"
        R"("Content":"Hi","SendTime":"2022-12-02T08:21:20.754555595Z",)"
        R"("Sender":{"UserId":"alice","Attributes":{"avatar":"dog.png","username":"xxxxxxx"}}})");
}

TEST(MessageJson, EmptyRequestIdAndEmptySenderAttributesArePresent) {
    auto m = sample_message();
    m.request_id.clear();
    m.sender_attributes.clear();
    m.attributes = model::Attributes{};
    m.send_time_ns = 1669969280000000000;  // whole second: no fraction at all
    EXPECT_EQ(message_json(m),
              R"({"Type":"MESSAGE","Id":"M2YcHkgffEvU","RequestId":"","Attributes":{},)"
              R"("Content":"Hi","SendTime":"2022-12-02T08:21:20Z",)"
              R"("Sender":{"UserId":"alice","Attributes":{}}})");
}

TEST(MessageJson, AttributesKeepTheirValues) {
    auto m = sample_message();
    m.attributes = model::Attributes{{"b", "2"}, {"a", "1"}};
    m.send_time_ns = 1669969280130000000;  // trailing zeros of the fraction dropped
    EXPECT_EQ(
        message_json(m),
        R"({"Type":"MESSAGE","Id":"M2YcHkgffEvU",)"
        R"("RequestId":"8fe65e61-1fa2-4563-a90d-c53521e0e63c","Attributes":{"a":"1","b":"2"},)"
        R"("Content":"Hi","SendTime":"2022-12-02T08:21:20.13Z",)"
        R"("Sender":{"UserId":"alice","Attributes":{"avatar":"dog.png","username":"xxxxxxx"}}})");
}

TEST(MessageJson, EscapesQuotesBackslashesAndControlCharacters) {
    auto m = sample_message();
    m.content = std::string("say \"hi\" \\ now\n\ttab\r\b\f") + '\x01' + '\x1f' + "end";
    m.sender_user_id = "u\"1";
    m.attributes = model::Attributes{{"k\"ey", "v\\al\n"}};
    const auto json = message_json(m);
    EXPECT_NE(json.find(R"("Content":"say \"hi\" \\ now\n\ttab\r\b\f\u0001\u001fend")"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find(R"("UserId":"u\"1")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("Attributes":{"k\"ey":"v\\al\n"})"), std::string::npos) << json;
    // And it reads back to the original strings.
    auto v = parse_object(json);
    ASSERT_NE(v.find("Content"), nullptr);
    EXPECT_EQ(v.find("Content")->as_string(), m.content);
    ASSERT_NE(v.find("Sender"), nullptr);
    EXPECT_EQ(v.find("Sender")->find("UserId")->as_string(), "u\"1");
}

TEST(MessageJson, NonAsciiTextIsPassedThroughAsUtf8) {
    auto m = sample_message();
    m.content = "h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x80\xA8";      // é, 😀, U+2028
    m.sender_attributes = {{"name", "\xE5\xB0\x8F\xE6\x98\x8E"}};  // 小明
    const auto json = message_json(m);
    EXPECT_NE(json.find("\"Content\":\"h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x80\xA8\""),
              std::string::npos);
    auto v = parse_object(json);
    EXPECT_EQ(v.find("Content")->as_string(), m.content);
    EXPECT_EQ(v.find("Sender")->find("Attributes")->find("name")->as_string(),
              "\xE5\xB0\x8F\xE6\x98\x8E");
}

TEST(EventJson, DeleteMessageEventMatchesTheServiceShape) {
    ChatEvent e{.id = "IxTh2Ad9fZIr",
                .request_id = "",
                .event_name = "aws:DELETE_MESSAGE",
                .attributes = {{"MessageID", "M2YcHkgffEvU"},
                               {"MessageId", "M2YcHkgffEvU"},
                               {"Reason", "Deleted by moderator"}},
                .send_time_ns = 1669969551136912720};
    EXPECT_EQ(
        event_json(e),
        R"({"Type":"EVENT","Id":"IxTh2Ad9fZIr","RequestId":"","EventName":"aws:DELETE_MESSAGE",)"
        R"("Attributes":{"MessageID":"M2YcHkgffEvU","MessageId":"M2YcHkgffEvU",)"
        R"("Reason":"Deleted by moderator"},"SendTime":"2022-12-02T08:25:51.13691272Z"})");
}

TEST(EventJson, RequestIdIsEchoedAndEmptyAttributesAreAnObject) {
    ChatEvent e{.id = "Z8Cd2OchZR9K",
                .request_id = "rid-1",
                .event_name = "custom \"event\"",
                .attributes = {},
                .send_time_ns = 1};
    EXPECT_EQ(
        event_json(e),
        R"({"Type":"EVENT","Id":"Z8Cd2OchZR9K","RequestId":"rid-1","EventName":"custom \"event\"",)"
        R"("Attributes":{},"SendTime":"1970-01-01T00:00:00.000000001Z"})");
    parse_object(event_json(e));
}

TEST(ErrorJson, CodeIsANumberAndRequestIdIsEmptyWhenNone) {
    EXPECT_EQ(error_json("IG5mcmlvdGlv", "", 400, "Messages must be less than 240 chars"),
              R"({"Type":"ERROR","Id":"IG5mcmlvdGlv","RequestId":"","ErrorCode":400,)"
              R"("ErrorMessage":"Messages must be less than 240 chars"})");
    EXPECT_EQ(
        error_json("IG5mcmlvdGlv", "497f6eca-6276-4993-bfeb-53cbbbba6f08", 429,
                   "rate limit exceeded"),
        R"({"Type":"ERROR","Id":"IG5mcmlvdGlv","RequestId":"497f6eca-6276-4993-bfeb-53cbbbba6f08",)"
        R"("ErrorCode":429,"ErrorMessage":"rate limit exceeded"})");
    auto v = parse_object(error_json("a", "b", 401, "x"));
    ASSERT_NE(v.find("ErrorCode"), nullptr);
    EXPECT_EQ(v.find("ErrorCode")->kind(), model::Value::Kind::Integer);
    EXPECT_EQ(v.find("ErrorCode")->as_integer(), 401);
}

TEST(ErrorJson, EscapesTheMessageAndRequestId) {
    const auto json = error_json("id", "r\"q", 400, "Unsupported Action: \"x\"\n\x02");
    EXPECT_EQ(json, R"({"Type":"ERROR","Id":"id","RequestId":"r\"q","ErrorCode":400,)"
                    R"("ErrorMessage":"Unsupported Action: \"x\"\n\u0002"})");
    parse_object(json);
}

// Decodes one server frame: checks FIN, opcode and that no mask is set; returns the payload.
std::string unframe(const std::string& f) {
    EXPECT_GE(f.size(), 2u);
    const auto b0 = static_cast<std::uint8_t>(f[0]);
    const auto b1 = static_cast<std::uint8_t>(f[1]);
    EXPECT_EQ(b0, 0x81) << "FIN + text opcode, no reserved bits";
    EXPECT_EQ(b1 & 0x80, 0) << "server frames are never masked";
    std::size_t len = b1 & 0x7F;
    std::size_t header = 2;
    if (len == 126) {
        len = (static_cast<std::size_t>(static_cast<std::uint8_t>(f[2])) << 8) |
              static_cast<std::uint8_t>(f[3]);
        header = 4;
        EXPECT_GE(len, 126u) << "minimal length encoding";
    } else if (len == 127) {
        len = 0;
        for (int i = 2; i < 10; ++i)
            len = (len << 8) | static_cast<std::uint8_t>(f[static_cast<std::size_t>(i)]);
        header = 10;
        EXPECT_GT(len, 0xFFFFu) << "minimal length encoding";
    }
    EXPECT_EQ(f.size(), header + len);
    return f.substr(header);
}

TEST(TextFrame, WrapsSmallPayloadInOneUnmaskedFrame) {
    const auto json = error_json("id", "", 400, "bad");
    auto frame = text_frame(json);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->size(), 2 + json.size());
    EXPECT_EQ(unframe(*frame), json);
}

TEST(TextFrame, UsesExtendedLengthsForLargerPayloads) {
    auto m = sample_message();
    m.content = std::string(400, 'x');
    const auto medium = message_json(m);
    ASSERT_GT(medium.size(), 125u);
    EXPECT_EQ(unframe(*text_frame(medium)), medium);

    m.content = std::string(70000, 'y');
    const auto large = message_json(m);
    auto frame = text_frame(large);
    EXPECT_EQ(frame->size(), 10 + large.size());
    EXPECT_EQ(unframe(*frame), large);
}

TEST(TextFrame, EmptyPayload) {
    auto frame = text_frame("");
    EXPECT_EQ(*frame, std::string("\x81\x00", 2));
}

}  // namespace
}  // namespace parley::messaging
