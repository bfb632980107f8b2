#include <gtest/gtest.h>

#include "chatlog/chat_log_record.hpp"
#include "model/clock_format.hpp"
#include "model/json_codec.hpp"

namespace parley::chatlog {
namespace {

// The real record of spec §4 (dev.to capture), rebuilt from its payload.
constexpr std::string_view kPayload =
    R"({"Type":"MESSAGE","Id":"WhO6MW6iRdS5","RequestId":"","Attributes":{"username":"gleningp"},)"
    R"("Content":"bbiab!","SendTime":"2023-01-05T14:33:32.894089757Z",)"
    R"("Sender":{"UserId":"75758272-x","Attributes":{}}})";

TEST(ChatLogRecord, MatchesTheServiceRecordByteForByte) {
    auto ms = payload_send_time_millis(kPayload);
    ASSERT_TRUE(ms);
    EXPECT_EQ(format_chat_log_record("MESSAGE", kPayload, *ms),
              std::string(
                  R"({"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","payload":)") +
                  std::string(kPayload) + R"(,"version":"1.0"})");
}

TEST(ChatLogRecord, IsOneJsonObjectWithThePayloadUntouched) {
    std::string payload =
        R"({"Type":"EVENT","Id":"IxTh2Ad9fZIr","RequestId":"","EventName":"aws:DELETE_MESSAGE",)"
        R"("Attributes":{"MessageID":"M2YcHkgffEvU","Reason":"line\nbreak \"q\" \u2713"},)"
        R"("SendTime":"2022-12-02T08:25:51.13691272Z"})";
    auto record = format_chat_log_record("EVENT", payload, 1669969551136);
    EXPECT_EQ(record.find('\n'), std::string::npos);  // one record per line
    auto parsed = model::parse_json(record);
    ASSERT_TRUE(parsed.value) << parsed.error;
    const auto& members = parsed.value->members();
    ASSERT_EQ(members.size(), 4u);
    EXPECT_EQ(members[0].first, "event_timestamp");
    EXPECT_EQ(members[0].second.as_string(), "2022-12-02T08:25:51.136Z");
    EXPECT_EQ(members[1].first, "type");
    EXPECT_EQ(members[1].second.as_string(), "EVENT");
    EXPECT_EQ(members[2].first, "payload");
    EXPECT_EQ(model::to_json(members[2].second), model::to_json(*model::parse_json(payload).value));
    EXPECT_EQ(members[3].first, "version");
    EXPECT_EQ(members[3].second.as_string(), "1.0");
    EXPECT_NE(record.find(payload), std::string::npos);
}

TEST(ChatLogRecord, TimestampHasMillisecondsEvenOnWholeSeconds) {
    auto record = format_chat_log_record("EVENT", "{}", 1672531200000);  // 2023-01-01T00:00:00Z
    EXPECT_NE(record.find(R"("event_timestamp":"2023-01-01T00:00:00.000Z")"), std::string::npos);
}

TEST(ChatLogRecord, SendTimeOfEveryPrecision) {
    EXPECT_EQ(parse_rfc3339_millis("2022-12-02T08:21:20.754555595Z"), 1669969280754);
    EXPECT_EQ(parse_rfc3339_millis("2022-12-02T08:25:51.13691272Z"), 1669969551136);
    EXPECT_EQ(parse_rfc3339_millis("2022-12-02T08:25:51.1Z"), 1669969551100);
    EXPECT_EQ(parse_rfc3339_millis("2022-12-02T08:25:51.12Z"), 1669969551120);
    EXPECT_EQ(parse_rfc3339_millis("2022-12-02T08:25:51Z"), 1669969551000);
    EXPECT_EQ(parse_rfc3339_millis("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339_millis("2024-02-29T23:59:59.999Z"), 1709251199999);
    // The formatter this server writes SendTime with, round trip.
    for (std::int64_t ns : {1669969280754555595LL, 1669969280000000000LL, 1669969280100000000LL}) {
        EXPECT_EQ(parse_rfc3339_millis(model::format_rfc3339_nanos(ns)), ns / 1000000);
    }
}

TEST(ChatLogRecord, BadTimesAreRefused) {
    for (std::string_view bad :
         {"", "2022-12-02", "2022-12-02T08:21:20", "2022-12-02T08:21:20.Z",
          "2022-12-02T08:21:20+01:00", "2022-13-02T08:21:20Z", "2023-02-29T08:21:20Z",
          "2022-12-02T24:00:00Z", "2022-12-02T08:21:20ZZ", "2022-12-02 08:21:20Z",
          "20x2-12-02T08:21:20Z"}) {
        EXPECT_FALSE(parse_rfc3339_millis(bad)) << bad;
    }
}

TEST(ChatLogRecord, OnlyTheTopLevelSendTimeCounts) {
    // A sender's attribute named SendTime comes first and must not win.
    std::string payload =
        R"({"Type":"MESSAGE","Id":"a","RequestId":"","Attributes":{"SendTime":"1999-01-01T00:00:00Z"},)"
        R"("Content":"{\"SendTime\":\"1998-01-01T00:00:00Z\"}","SendTime":"2023-01-05T14:33:32.894Z",)"
        R"("Sender":{"UserId":"u","Attributes":{"SendTime":"1997-01-01T00:00:00Z"}}})";
    EXPECT_EQ(payload_send_time_millis(payload), 1672929212894);
    EXPECT_EQ(payload_send_time_millis(
                  R"( { "a" : [1, {"b": "]"}], "SendTime" : "1970-01-01T00:00:01Z" } )"),
              1000);
}

TEST(ChatLogRecord, PayloadsWithoutSendTime) {
    EXPECT_FALSE(payload_send_time_millis(""));
    EXPECT_FALSE(payload_send_time_millis("{}"));
    EXPECT_FALSE(payload_send_time_millis("[]"));
    EXPECT_FALSE(payload_send_time_millis(R"({"Type":"EVENT"})"));
    EXPECT_FALSE(payload_send_time_millis(R"({"SendTime":12})"));
    EXPECT_FALSE(payload_send_time_millis(R"({"SendTime":"yesterday"})"));
    EXPECT_FALSE(payload_send_time_millis(R"({"Type":"EVENT","SendTime")"));
    EXPECT_FALSE(payload_send_time_millis(R"({"Type":"unterminated)"));
    EXPECT_FALSE(payload_send_time_millis(R"({"A":{"SendTime":"2023-01-05T14:33:32.894Z"})"));
}

}  // namespace
}  // namespace parley::chatlog
