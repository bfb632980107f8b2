// Logging-configuration shapes: the destinationConfiguration union (exactly one member), each
// destination's bounds and pattern, identifiers, paging, apply_to and member names.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"
#include "model/logging_configuration_shapes.hpp"
#include "model_test_support.hpp"

namespace parley::model {
namespace {

using namespace parley::model::testing;

const Value kS3 = Value::structure({{"bucketName", "chat-logs"}});
const Value kCloudWatch = Value::structure({{"logGroupName", "/ivs/chat"}});
const Value kFirehose = Value::structure({{"deliveryStreamName", "chat-stream"}});

Value create_with(Value destination) {
    return Value::structure({{"destinationConfiguration", std::move(destination)}});
}
Value destination(std::string member, Value inner) {
    return Value::structure({{std::move(member), std::move(inner)}});
}

// ---- the destinationConfiguration union ----

TEST(CreateLoggingConfigurationRequest, DestinationIsRequired) {
    EXPECT_TRUE(
        refuses<CreateLoggingConfigurationRequest>(parse("{}"), "destinationConfiguration"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        parse(R"({"destinationConfiguration":null})"), "destinationConfiguration"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        parse(R"({"destinationConfiguration":"s3"})"), "destinationConfiguration"));
}

TEST(CreateLoggingConfigurationRequest, UnionWithZeroMembersIsRefused) {
    const std::vector<std::string> only_union = {"destinationConfiguration"};
    EXPECT_EQ(errors_of<CreateLoggingConfigurationRequest>(create_with(Value::structure())),
              only_union);
    // A null member is not set, so this union is empty too.
    EXPECT_EQ(errors_of<CreateLoggingConfigurationRequest>(
                  parse(R"({"destinationConfiguration":{"s3":null}})")),
              only_union);
}

TEST(CreateLoggingConfigurationRequest, UnionWithOneMemberIsRead) {
    auto s3 = CreateLoggingConfigurationRequest::from_value(create_with(destination("s3", kS3)));
    EXPECT_EQ(s3.destination_configuration,
              DestinationConfiguration{S3DestinationConfiguration{.bucket_name = "chat-logs"}});
    auto cw = CreateLoggingConfigurationRequest::from_value(
        create_with(destination("cloudWatchLogs", kCloudWatch)));
    EXPECT_EQ(cw.destination_configuration,
              DestinationConfiguration{
                  CloudWatchLogsDestinationConfiguration{.log_group_name = "/ivs/chat"}});
    auto fh = CreateLoggingConfigurationRequest::from_value(
        create_with(destination("firehose", kFirehose)));
    EXPECT_EQ(fh.destination_configuration,
              DestinationConfiguration{
                  FirehoseDestinationConfiguration{.delivery_stream_name = "chat-stream"}});
    // Null siblings do not count.
    EXPECT_TRUE(accepts<CreateLoggingConfigurationRequest>(
        parse(R"({"destinationConfiguration":{"s3":{"bucketName":"abc"},"firehose":null}})")));
}

TEST(CreateLoggingConfigurationRequest, UnionWithTwoOrThreeMembersIsRefused) {
    const std::vector<std::string> only_union = {"destinationConfiguration"};
    EXPECT_EQ(errors_of<CreateLoggingConfigurationRequest>(
                  create_with(Value::structure({{"s3", kS3}, {"cloudWatchLogs", kCloudWatch}}))),
              only_union);
    EXPECT_EQ(errors_of<CreateLoggingConfigurationRequest>(create_with(Value::structure(
                  {{"s3", kS3}, {"cloudWatchLogs", kCloudWatch}, {"firehose", kFirehose}}))),
              only_union);
}

TEST(CreateLoggingConfigurationRequest, UnknownUnionMemberIsRefused) {
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        create_with(Value::structure({{"kinesis", kFirehose}})),
        "destinationConfiguration.kinesis"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        create_with(Value::structure({{"s3", kS3}, {"kinesis", kFirehose}})),
        "destinationConfiguration.kinesis"));
}

TEST(CreateLoggingConfigurationRequest, MemberMustBeAnObject) {
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        create_with(destination("s3", "chat-logs")), "destinationConfiguration.s3"));
}

// ---- each destination's member ----

TEST(CreateLoggingConfigurationRequest, BucketNameBoundsAndPattern) {
    auto place = [](Value name) {
        return create_with(destination("s3", Value::structure({{"bucketName", name}})));
    };
    const std::string path = "destinationConfiguration.s3.bucketName";
    expect_string_bounds<CreateLoggingConfigurationRequest>(
        place, path, 3, 63, [](std::size_t n) { return repeat(n, 'b'); });
    EXPECT_TRUE(accepts<CreateLoggingConfigurationRequest>(place("my.bucket-01")));
    for (const char* bad : {"My-Bucket", "my_bucket", "my bucket"})
        EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(place(bad), path)) << bad;
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        create_with(destination("s3", Value::structure())), path));
}

TEST(CreateLoggingConfigurationRequest, LogGroupNameBoundsAndPattern) {
    auto place = [](Value name) {
        return create_with(
            destination("cloudWatchLogs", Value::structure({{"logGroupName", name}})));
    };
    const std::string path = "destinationConfiguration.cloudWatchLogs.logGroupName";
    expect_string_bounds<CreateLoggingConfigurationRequest>(
        place, path, 1, 512, [](std::size_t n) { return repeat(n, 'g'); });
    EXPECT_TRUE(accepts<CreateLoggingConfigurationRequest>(place("/aws/ivs-chat_logs.#1")));
    for (const char* bad : {"log group", "group:1", "group*"})
        EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(place(bad), path)) << bad;
}

TEST(CreateLoggingConfigurationRequest, DeliveryStreamNameBoundsAndPattern) {
    auto place = [](Value name) {
        return create_with(
            destination("firehose", Value::structure({{"deliveryStreamName", name}})));
    };
    const std::string path = "destinationConfiguration.firehose.deliveryStreamName";
    expect_string_bounds<CreateLoggingConfigurationRequest>(
        place, path, 1, 64, [](std::size_t n) { return repeat(n, 'd'); });
    EXPECT_TRUE(accepts<CreateLoggingConfigurationRequest>(place("Stream_1.a-b")));
    for (const char* bad : {"stream/1", "stream 1", "stream#1"})
        EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(place(bad), path)) << bad;
}

// ---- name and tags ----

TEST(CreateLoggingConfigurationRequest, NameAndTagsBounds) {
    Value base = create_with(destination("s3", kS3));
    expect_string_bounds<CreateLoggingConfigurationRequest>(
        at(base, "name"), "name", 0, 128, [](std::size_t n) { return repeat(n, 'n'); });
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(with(base, "name", "a.b"), "name"));

    Members fifty, fifty_one;
    for (int i = 0; i < 51; ++i) {
        if (i < 50) fifty.emplace_back("k" + std::to_string(i), "v");
        fifty_one.emplace_back("k" + std::to_string(i), "v");
    }
    EXPECT_TRUE(accepts<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure(std::move(fifty)))));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure(std::move(fifty_one))), "tags"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure({{repeat(129), "v"}})), "tags"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure({{"k", repeat(257)}})), "tags"));
    // AWS reserves the aws: prefix, in keys and values, in any letter case.
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure({{"aWs:k", "v"}})), "tags"));
    EXPECT_TRUE(refuses<CreateLoggingConfigurationRequest>(
        with(base, "tags", Value::structure({{"k", "AWS:v"}})), "tags"));
}

TEST(CreateLoggingConfigurationRequest, ToValueUsesModelNamesAndRoundTrips) {
    CreateLoggingConfigurationRequest req{
        .name = "archive",
        .destination_configuration =
            CloudWatchLogsDestinationConfiguration{.log_group_name = "/ivs/chat"},
        .tags = Tags{{"env", "prod"}},
    };
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"name":"archive","destinationConfiguration":{"cloudWatchLogs":)"
                    R"({"logGroupName":"/ivs/chat"}},"tags":{"env":"prod"}})");
    EXPECT_EQ(to_json(CreateLoggingConfigurationRequest::from_value(parse(json)).to_value()), json);
}

TEST(CreateLoggingConfigurationRequest, ApplyToFillsGivenMembers) {
    LoggingConfiguration c{.id = "ABcdef34ghIJ", .arn = kLoggingArn};
    CreateLoggingConfigurationRequest{
        .name = "archive",
        .destination_configuration = FirehoseDestinationConfiguration{.delivery_stream_name = "s"}}
        .apply_to(c);
    EXPECT_EQ(c.name, "archive");
    EXPECT_EQ(c.destination_configuration,
              DestinationConfiguration{FirehoseDestinationConfiguration{"s"}});
    EXPECT_TRUE(c.tags.empty());
    EXPECT_EQ(c.state, "ACTIVE");
}

// ---- Get / Delete / Update identifiers ----

template <class Shape>
void expect_logging_identifier_rules(Value base) {
    EXPECT_TRUE(accepts<Shape>(with(base, "identifier", kLoggingArn)));
    EXPECT_TRUE(refuses<Shape>(base, "identifier"));
    auto place = at(base, "identifier");
    EXPECT_TRUE(refuses<Shape>(place(""), "identifier"));
    EXPECT_TRUE(accepts<Shape>(place(logging_arn_of_length(128))));
    EXPECT_TRUE(refuses<Shape>(place(logging_arn_of_length(129)), "identifier"));
    EXPECT_TRUE(refuses<Shape>(place(kRoomArn), "identifier"));
    EXPECT_TRUE(refuses<Shape>(place("ABcdef34ghIJ"), "identifier"));
}

TEST(GetLoggingConfigurationRequest, IdentifierIsARequiredLoggingArn) {
    expect_logging_identifier_rules<GetLoggingConfigurationRequest>(Value::structure());
    EXPECT_EQ(to_json(GetLoggingConfigurationRequest{.identifier = kLoggingArn}.to_value()),
              R"({"identifier":")" + kLoggingArn + R"("})");
}

TEST(DeleteLoggingConfigurationRequest, IdentifierIsARequiredLoggingArn) {
    expect_logging_identifier_rules<DeleteLoggingConfigurationRequest>(Value::structure());
    EXPECT_EQ(DeleteLoggingConfigurationRequest::from_value(
                  Value::structure({{"identifier", kLoggingArn}}))
                  .identifier,
              kLoggingArn);
}

TEST(UpdateLoggingConfigurationRequest, IdentifierRequiredOthersOptional) {
    expect_logging_identifier_rules<UpdateLoggingConfigurationRequest>(Value::structure());
    auto req = UpdateLoggingConfigurationRequest::from_value(
        Value::structure({{"identifier", kLoggingArn}}));
    EXPECT_FALSE(req.name);
    EXPECT_FALSE(req.destination_configuration);
}

TEST(UpdateLoggingConfigurationRequest, DestinationWhenGivenIsStillAOneMemberUnion) {
    Value base = Value::structure({{"identifier", kLoggingArn}});
    EXPECT_TRUE(refuses<UpdateLoggingConfigurationRequest>(
        with(base, "destinationConfiguration", Value::structure()), "destinationConfiguration"));
    EXPECT_TRUE(refuses<UpdateLoggingConfigurationRequest>(
        with(base, "destinationConfiguration",
             Value::structure({{"s3", kS3}, {"firehose", kFirehose}})),
        "destinationConfiguration"));
    EXPECT_TRUE(refuses<UpdateLoggingConfigurationRequest>(
        with(base, "destinationConfiguration",
             destination("s3", Value::structure({{"bucketName", "ab"}}))),
        "destinationConfiguration.s3.bucketName"));
    expect_string_bounds<UpdateLoggingConfigurationRequest>(
        at(base, "name"), "name", 0, 128, [](std::size_t n) { return repeat(n, 'n'); });
}

TEST(UpdateLoggingConfigurationRequest, ApplyToChangesOnlyNamedMembers) {
    const LoggingConfiguration original{
        .id = "ABcdef34ghIJ",
        .arn = kLoggingArn,
        .name = "archive",
        .create_time = 1,
        .update_time = 2,
        .destination_configuration = S3DestinationConfiguration{.bucket_name = "chat-logs"},
        .tags = {{"env", "prod"}},
    };
    LoggingConfiguration c = original;
    UpdateLoggingConfigurationRequest{.identifier = kLoggingArn}.apply_to(c);
    EXPECT_EQ(c, original);

    UpdateLoggingConfigurationRequest{.identifier = kLoggingArn, .name = "renamed"}.apply_to(c);
    LoggingConfiguration expected = original;
    expected.name = "renamed";
    EXPECT_EQ(c, expected);

    UpdateLoggingConfigurationRequest{
        .identifier = kLoggingArn,
        .destination_configuration = CloudWatchLogsDestinationConfiguration{.log_group_name = "/g"}}
        .apply_to(c);
    expected.destination_configuration = CloudWatchLogsDestinationConfiguration{"/g"};
    EXPECT_EQ(c, expected);
}

TEST(UpdateLoggingConfigurationRequest, ToValueUsesModelNamesAndRoundTrips) {
    UpdateLoggingConfigurationRequest req{
        .identifier = kLoggingArn,
        .destination_configuration = S3DestinationConfiguration{.bucket_name = "abc"}};
    std::string json = to_json(req.to_value());
    EXPECT_EQ(json, R"({"identifier":")" + kLoggingArn +
                        R"(","destinationConfiguration":{"s3":{"bucketName":"abc"}}})");
    EXPECT_EQ(to_json(UpdateLoggingConfigurationRequest::from_value(parse(json)).to_value()), json);
}

// ---- ListLoggingConfigurations ----

TEST(ListLoggingConfigurationsRequest, PagingBounds) {
    Value base = Value::structure();
    EXPECT_TRUE(accepts<ListLoggingConfigurationsRequest>(base));
    expect_string_bounds<ListLoggingConfigurationsRequest>(
        at(base, "nextToken"), "nextToken", 0, 1024, [](std::size_t n) { return repeat(n, 't'); });
    expect_integer_bounds<ListLoggingConfigurationsRequest>(at(base, "maxResults"), "maxResults", 1,
                                                            50);
    ListLoggingConfigurationsRequest req{.next_token = "t", .max_results = 2};
    EXPECT_EQ(to_json(req.to_value()), R"({"nextToken":"t","maxResults":2})");
}

TEST(ListLoggingConfigurationsResponse, WritesSummaryItems) {
    ListLoggingConfigurationsResponse resp{
        .logging_configurations = {LoggingConfiguration{
            .id = "ABcdef34ghIJ",
            .arn = kLoggingArn,
            .name = "archive",
            .create_time = 1673275715358,
            .update_time = 1673275715358,
            .destination_configuration = S3DestinationConfiguration{.bucket_name = "chat-logs"},
        }},
        .next_token = "more",
    };
    EXPECT_EQ(to_json(resp.to_value()),
              R"({"loggingConfigurations":[{"arn":")" + kLoggingArn +
                  R"(","id":"ABcdef34ghIJ","createTime":"2023-01-09T14:48:35.358Z",)"
                  R"("updateTime":"2023-01-09T14:48:35.358Z","name":"archive",)"
                  R"("destinationConfiguration":{"s3":{"bucketName":"chat-logs"}},)"
                  R"("state":"ACTIVE","tags":{}}],"nextToken":"more"})");
    EXPECT_EQ(to_json(ListLoggingConfigurationsResponse{}.to_value()),
              R"({"loggingConfigurations":[]})");
}

}  // namespace
}  // namespace parley::model
