#include "model/resource_codec.hpp"

#include "model/clock_format.hpp"

namespace parley::model {

namespace {
// Members RoomSummary shares with the full room; `full` adds the two message limits.
Value room_members(const Room& room, bool full) {
    Value v = Value::structure();
    v.set("arn", room.arn);
    v.set("id", room.id);
    v.set("name", room.name);
    v.set("createTime", format_iso8601_millis(room.create_time));
    v.set("updateTime", format_iso8601_millis(room.update_time));
    if (full) {
        v.set("maximumMessageLength", room.maximum_message_length);
        v.set("maximumMessageRatePerSecond", room.maximum_message_rate_per_second);
    }
    if (room.message_review_handler && !room.message_review_handler->uri.empty())
        v.set("messageReviewHandler",
              message_review_handler_to_value(*room.message_review_handler));
    v.set("tags", Value::string_map(room.tags));
    v.set("loggingConfigurationIdentifiers",
          Value::string_list(room.logging_configuration_identifiers));
    return v;
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

Value message_review_handler_to_value(const MessageReviewHandler& handler) {
    return Value::structure({{"uri", handler.uri}, {"fallbackResult", handler.fallback_result}});
}

Value room_to_value(const Room& room) {
    return room_members(room, true);
}

Value room_summary_to_value(const Room& room) {
    return room_members(room, false);
}

Value destination_configuration_to_value(const DestinationConfiguration& destination) {
    return std::visit(
        Overloaded{
            [](const S3DestinationConfiguration& d) {
                return Value::structure(
                    {{"s3", Value::structure({{"bucketName", d.bucket_name}})}});
            },
            [](const CloudWatchLogsDestinationConfiguration& d) {
                return Value::structure(
                    {{"cloudWatchLogs", Value::structure({{"logGroupName", d.log_group_name}})}});
            },
            [](const FirehoseDestinationConfiguration& d) {
                return Value::structure(
                    {{"firehose",
                      Value::structure({{"deliveryStreamName", d.delivery_stream_name}})}});
            },
        },
        destination);
}

Value logging_configuration_to_value(const LoggingConfiguration& configuration) {
    Value v = Value::structure();
    v.set("arn", configuration.arn);
    v.set("id", configuration.id);
    v.set("createTime", format_iso8601_millis(configuration.create_time));
    v.set("updateTime", format_iso8601_millis(configuration.update_time));
    v.set("name", configuration.name);
    v.set("destinationConfiguration",
          destination_configuration_to_value(configuration.destination_configuration));
    v.set("state", configuration.state);
    v.set("tags", Value::string_map(configuration.tags));
    return v;
}

}  // namespace parley::model
