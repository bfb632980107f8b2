#include "messaging/review/review_exchange.hpp"

#include <gtest/gtest.h>

#include "model/json_codec.hpp"

namespace parley::messaging {
namespace {

ChatMessage sample() {
    return ChatMessage{.id = "M2YcHkgffEvU",
                       .request_id = "r-1",
                       .attributes = model::Attributes{{"k", "v"}},
                       .content = "hé \"quoted\"",
                       .send_time_ns = 1,
                       .sender_user_id = "alice",
                       .sender_attributes = {{"displayName", "Alice"}}};
}

TEST(ReviewExchange, RequestPayloadHasTheDocumentedShape) {
    EXPECT_EQ(
        review_request_json(sample(), "arn:aws:ivschat:us-east-1:123456789012:room/abc",
                            "10.0.0.7"),
        R"({"Content":"hé \"quoted\"","MessageId":"M2YcHkgffEvU",)"
        R"("RoomArn":"arn:aws:ivschat:us-east-1:123456789012:room/abc","Attributes":{"k":"v"},)"
        R"("Sender":{"Attributes":{"displayName":"Alice"},"UserId":"alice","Ip":"10.0.0.7"}})");
}

TEST(ReviewExchange, MissingMapsAreSentEmpty) {
    auto m = sample();
    m.attributes.reset();
    m.sender_attributes.clear();
    auto json = review_request_json(m, "arn", "::1");
    EXPECT_NE(json.find(R"("Attributes":{},"Sender":{"Attributes":{},"UserId")"), std::string::npos)
        << json;
    EXPECT_TRUE(model::parse_json(json).value);
}

TEST(ReviewExchange, AllowWithModifiedContentAndAttributes) {
    auto v = parse_review_response(
        R"({"ReviewResult":"ALLOW","Content":"clean","Attributes":{"moderated":"yes"}})", 500);
    ASSERT_EQ(v.kind, ReviewVerdict::Kind::Allow);
    EXPECT_EQ(v.content, "clean");
    ASSERT_TRUE(v.attributes);
    EXPECT_EQ(*v.attributes, (model::Attributes{{"moderated", "yes"}}));
}

TEST(ReviewExchange, AllowWithoutAttributesKeepsTheOriginal) {
    for (auto body : {R"({"ReviewResult":"ALLOW","Content":"x"})",
                      R"({"ReviewResult":"ALLOW","Content":"x","Attributes":null})"}) {
        auto v = parse_review_response(body, 500);
        ASSERT_EQ(v.kind, ReviewVerdict::Kind::Allow) << body;
        EXPECT_FALSE(v.attributes);
    }
    auto v =
        parse_review_response(R"({"ReviewResult":"ALLOW","Content":"x","Attributes":{}})", 500);
    ASSERT_TRUE(v.attributes);  // an explicit empty map clears them
    EXPECT_TRUE(v.attributes->empty());
}

TEST(ReviewExchange, DenyCarriesTheReason) {
    auto v =
        parse_review_response(R"({"ReviewResult":"DENY","Attributes":{"Reason":"spam"}})", 500);
    ASSERT_EQ(v.kind, ReviewVerdict::Kind::Deny);
    EXPECT_EQ(v.reason, "spam");
    EXPECT_EQ(denied_message_text(v.reason), "Message rejected during message review: spam");
    EXPECT_EQ(parse_review_response(R"({"ReviewResult":"DENY"})", 500).kind,
              ReviewVerdict::Kind::Deny);
    EXPECT_EQ(denied_message_text(""), "Message rejected during message review");
}

TEST(ReviewExchange, ContentLimitsCountCodePoints) {
    // 3 code points, 9 bytes.
    EXPECT_EQ(parse_review_response(R"({"ReviewResult":"ALLOW","Content":"✓✓✓"})", 3).kind,
              ReviewVerdict::Kind::Allow);
    EXPECT_EQ(parse_review_response(R"({"ReviewResult":"ALLOW","Content":"✓✓✓✓"})", 3).kind,
              ReviewVerdict::Kind::Invalid);
}

TEST(ReviewExchange, InvalidAnswers) {
    std::string big_attrs = R"({"ReviewResult":"ALLOW","Content":"x","Attributes":{"k":")" +
                            std::string(1100, 'a') + R"("}})";
    for (std::string body :
         {std::string(""), std::string("{"), std::string("[]"), std::string(R"("ALLOW")"),
          std::string(R"({})"), std::string(R"({"ReviewResult":"allow","Content":"x"})"),
          std::string(R"({"ReviewResult":"MAYBE","Content":"x"})"),
          std::string(R"({"ReviewResult":1,"Content":"x"})"),
          std::string(R"({"ReviewResult":"ALLOW"})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":""})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":5})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":"x","Attributes":[]})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":"x","Attributes":{"n":1}})"),
          std::string(R"({"ReviewResult":"DENY","Attributes":"no"})"), big_attrs}) {
        auto v = parse_review_response(body, 500);
        EXPECT_EQ(v.kind, ReviewVerdict::Kind::Invalid) << body;
        EXPECT_FALSE(v.problem.empty()) << body;
    }
}

}  // namespace
}  // namespace parley::messaging
