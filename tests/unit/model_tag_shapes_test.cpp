// Tag operations: the resourceArn from the path, tags from the body, tagKeys from the query;
// each validated like a body member would be.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"
#include "model/tag_shapes.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

// from_parts wrapped so the shared helpers (which call Shape::from_value) can drive it.
struct ListTagsFromArn {
    static ListTagsForResourceRequest from_value(const Value& arn) {
        return ListTagsForResourceRequest::from_parts(arn.as_string());
    }
};

Value tags_of(std::size_t entries) {
    Members ms;
    for (std::size_t i = 0; i < entries; ++i) ms.emplace_back("k" + std::to_string(i), "v");
    return Value::structure(std::move(ms));
}

std::vector<std::string> keys_of(std::size_t n) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < n; ++i) keys.push_back("k" + std::to_string(i));
    return keys;
}

template <class F>
std::vector<std::string> errors_from(F f) {
    try {
        f();
        return {};
    } catch (const ApiError& e) {
        EXPECT_EQ(e.type(), "ValidationException");
        std::vector<std::string> names;
        for (const auto& field : e.field_list) names.push_back(field.name);
        return names;
    }
}

// ---- resourceArn ----

TEST(ListTagsForResourceRequest, AcceptsRoomAndLoggingConfigurationArns) {
    EXPECT_EQ(ListTagsForResourceRequest::from_parts(kRoomArn).resource_arn, kRoomArn);
    EXPECT_EQ(ListTagsForResourceRequest::from_parts(kLoggingArn).resource_arn, kLoggingArn);
}

TEST(ListTagsForResourceRequest, ResourceArnBoundsAndPattern) {
    EXPECT_TRUE(refuses<ListTagsFromArn>(Value(""), "resourceArn"));
    EXPECT_TRUE(accepts<ListTagsFromArn>(Value(room_arn_of_length(128))));
    EXPECT_TRUE(refuses<ListTagsFromArn>(Value(room_arn_of_length(129)), "resourceArn"));
    EXPECT_TRUE(accepts<ListTagsFromArn>(Value(logging_arn_of_length(128))));
    EXPECT_TRUE(refuses<ListTagsFromArn>(Value(logging_arn_of_length(129)), "resourceArn"));
    for (const char* bad :
         {"g1H2I3j4k5L6", "arn:aws:ivs:us-west-2:123456789012:channel/abcdEFGH1234",
          "arn:aws:ivschat:us-west-2:123456789012:stage/g1H2I3j4k5L6",
          "arn:aws:ivschat:us-west-2:123456789012:room/",
          "arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2Fg1H2I3j4k5L6"})
        EXPECT_TRUE(refuses<ListTagsFromArn>(Value(bad), "resourceArn")) << bad;
}

TEST(ListTagsForResourceRequest, FromValueAndToValue) {
    auto req =
        ListTagsForResourceRequest::from_value(parse(R"({"resourceArn":")" + kRoomArn + "\"}"));
    EXPECT_EQ(req.resource_arn, kRoomArn);
    EXPECT_EQ(to_json(req.to_value()), R"({"resourceArn":")" + kRoomArn + "\"}");
    EXPECT_TRUE(refuses<ListTagsForResourceRequest>(parse("{}"), "resourceArn"));
}

TEST(ListTagsForResourceResponse, TagsAlwaysPresent) {
    EXPECT_EQ(to_json(ListTagsForResourceResponse{}.to_value()), R"({"tags":{}})");
    EXPECT_EQ(to_json(ListTagsForResourceResponse{.tags = {{"a", "1"}, {"b", "2"}}}.to_value()),
              R"({"tags":{"a":"1","b":"2"}})");
}

// ---- TagResource ----

TEST(TagResourceRequest, ReadsArnFromPathAndTagsFromBody) {
    Value body = parse(R"({"tags":{"team":"blue","env":""}})");
    auto req = TagResourceRequest::from_parts(kRoomArn, &body);
    EXPECT_EQ(req.resource_arn, kRoomArn);
    EXPECT_EQ(req.tags, (Tags{{"team", "blue"}, {"env", ""}}));
}

TEST(TagResourceRequest, PathArnWinsOverABodyMember) {
    Value body = Value::structure({{"resourceArn", "bogus"}, {"tags", tags_of(1)}});
    EXPECT_EQ(TagResourceRequest::from_parts(kLoggingArn, &body).resource_arn, kLoggingArn);
}

TEST(TagResourceRequest, TagsAreRequired) {
    EXPECT_EQ(errors_from([] { TagResourceRequest::from_parts(kRoomArn, nullptr); }),
              std::vector<std::string>{"tags"});
    Value empty_body = parse("{}");
    EXPECT_EQ(errors_from([&] { TagResourceRequest::from_parts(kRoomArn, &empty_body); }),
              std::vector<std::string>{"tags"});
}

TEST(TagResourceRequest, TagCountBounds) {
    auto tag = [](Value tags) {
        Value body = Value::structure({{"tags", std::move(tags)}});
        return errors_from([&] { TagResourceRequest::from_parts(kRoomArn, &body); });
    };
    EXPECT_EQ(tag(tags_of(0)), std::vector<std::string>{"tags"});
    EXPECT_TRUE(tag(tags_of(1)).empty());
    EXPECT_TRUE(tag(tags_of(50)).empty());
    EXPECT_EQ(tag(tags_of(51)), std::vector<std::string>{"tags"});
}

TEST(TagResourceRequest, TagKeyAndValueBounds) {
    Value base = Value::structure({{"resourceArn", kRoomArn}});
    auto one = [&](std::string k, std::string v) {
        return with(base, "tags", Value::structure({{std::move(k), std::move(v)}}));
    };
    EXPECT_TRUE(refuses<TagResourceRequest>(one("", "v"), "tags"));
    EXPECT_TRUE(accepts<TagResourceRequest>(one("k", "v")));
    EXPECT_TRUE(accepts<TagResourceRequest>(one(repeat(128), "v")));
    EXPECT_TRUE(refuses<TagResourceRequest>(one(repeat(129), "v"), "tags"));
    EXPECT_TRUE(accepts<TagResourceRequest>(one("k", "")));
    EXPECT_TRUE(accepts<TagResourceRequest>(one("k", repeat(256))));
    EXPECT_TRUE(refuses<TagResourceRequest>(one("k", repeat(257)), "tags"));
    EXPECT_TRUE(
        refuses<TagResourceRequest>(with(base, "tags", Value::structure({{"k", 1}})), "tags"));
}

// AWS reserves the aws: prefix for its own tags, in keys and values and in any letter case.
TEST(TagResourceRequest, RefusesTheReservedAwsPrefix) {
    Value base = Value::structure({{"resourceArn", kRoomArn}});
    auto one = [&](std::string k, std::string v) {
        return with(base, "tags", Value::structure({{std::move(k), std::move(v)}}));
    };
    for (const char* reserved : {"aws:", "aws:team", "AWS:team", "Aws:x", "aWs:x"}) {
        EXPECT_TRUE(refuses<TagResourceRequest>(one(reserved, "v"), "tags")) << reserved;
        EXPECT_TRUE(refuses<TagResourceRequest>(one("k", reserved), "tags")) << reserved;
    }
    for (const char* fine : {"aws", "awsx:team", "team:aws:x", "aws-team", " aws:x", "aw:"})
        EXPECT_TRUE(accepts<TagResourceRequest>(one(fine, fine))) << fine;
}

TEST(TagResourceRequest, BodyMustBeAnObjectAndEveryErrorIsListed) {
    Value list_body = parse("[1]");
    EXPECT_EQ(errors_from([&] { TagResourceRequest::from_parts("nope", &list_body); }),
              (std::vector<std::string>{"body", "resourceArn", "tags"}));
}

TEST(TagResourceRequest, ToValueAndResponse) {
    TagResourceRequest req{.resource_arn = kRoomArn, .tags = {{"a", "b"}}};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"resourceArn":")" + kRoomArn + R"(","tags":{"a":"b"}})");
    EXPECT_EQ(to_json(TagResourceRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(TagResourceResponse{}.to_value()), "{}");
}

// ---- UntagResource ----

TEST(UntagResourceRequest, ReadsArnAndQueryKeys) {
    auto req = UntagResourceRequest::from_parts(kLoggingArn, {"team", "env"});
    EXPECT_EQ(req.resource_arn, kLoggingArn);
    EXPECT_EQ(req.tag_keys, (std::vector<std::string>{"team", "env"}));
}

TEST(UntagResourceRequest, TagKeyCountBounds) {
    auto untag = [](std::vector<std::string> keys) {
        return errors_from([&] { UntagResourceRequest::from_parts(kRoomArn, keys); });
    };
    EXPECT_EQ(untag({}), std::vector<std::string>{"tagKeys"});  // no ?tagKeys= at all
    EXPECT_TRUE(untag(keys_of(1)).empty());
    EXPECT_TRUE(untag(keys_of(50)).empty());
    EXPECT_EQ(untag(keys_of(51)), std::vector<std::string>{"tagKeys"});
    EXPECT_TRUE(refuses<UntagResourceRequest>(
        parse(R"({"resourceArn":")" + kRoomArn + R"(","tagKeys":[]})"), "tagKeys"));
}

TEST(UntagResourceRequest, TagKeyLengthBounds) {
    auto untag = [](std::string key) {
        return errors_from([&] { UntagResourceRequest::from_parts(kRoomArn, {key}); });
    };
    EXPECT_EQ(untag(""), std::vector<std::string>{"tagKeys"});
    EXPECT_TRUE(untag("k").empty());
    EXPECT_TRUE(untag(repeat(128)).empty());
    EXPECT_EQ(untag(repeat(129)), std::vector<std::string>{"tagKeys"});
}

TEST(UntagResourceRequest, ResourceArnIsChecked) {
    EXPECT_EQ(errors_from([] { UntagResourceRequest::from_parts("", {"k"}); }),
              std::vector<std::string>{"resourceArn"});
    EXPECT_EQ(errors_from([] { UntagResourceRequest::from_parts(room_arn_of_length(129), {"k"}); }),
              std::vector<std::string>{"resourceArn"});
}

TEST(UntagResourceRequest, ToValueAndResponse) {
    UntagResourceRequest req{.resource_arn = kRoomArn, .tag_keys = {"a", "b"}};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"resourceArn":")" + kRoomArn + R"(","tagKeys":["a","b"]})");
    EXPECT_EQ(to_json(UntagResourceRequest::from_value(parse(json)).to_value()), json);
    EXPECT_EQ(to_json(UntagResourceResponse{}.to_value()), "{}");
}

}  // namespace
}  // namespace parley::model
