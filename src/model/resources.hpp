#pragma once
// The service's stored resources: rooms and logging configurations, as the store keeps them
// and the control plane returns them. Times are milliseconds since the Unix epoch. Members all
// have default initializers so designated initializers may name only some of them.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace parley::model {

using Tags = std::map<std::string, std::string>;
using Attributes = std::map<std::string, std::string>;
using EpochMillis = std::int64_t;

inline constexpr int kDefaultMaximumMessageLength = 500;
inline constexpr int kDefaultMaximumMessageRatePerSecond = 10;

struct MessageReviewHandler {
    std::string uri{};                      // Lambda function ARN; empty means none
    std::string fallback_result = "ALLOW";  // ALLOW | DENY
    bool operator==(const MessageReviewHandler&) const = default;
};

struct Room {
    std::string id{};   // 12 chars [a-zA-Z0-9]
    std::string arn{};  // arn:aws:ivschat:<region>:<account>:room/<id>
    std::string name{};
    EpochMillis create_time = 0;
    EpochMillis update_time = 0;
    int maximum_message_length = kDefaultMaximumMessageLength;
    int maximum_message_rate_per_second = kDefaultMaximumMessageRatePerSecond;
    std::optional<MessageReviewHandler> message_review_handler{};
    std::vector<std::string> logging_configuration_identifiers{};  // ARNs, order kept
    Tags tags{};
    bool operator==(const Room&) const = default;
};

struct S3DestinationConfiguration {
    std::string bucket_name{};
    bool operator==(const S3DestinationConfiguration&) const = default;
};
struct CloudWatchLogsDestinationConfiguration {
    std::string log_group_name{};
    bool operator==(const CloudWatchLogsDestinationConfiguration&) const = default;
};
struct FirehoseDestinationConfiguration {
    std::string delivery_stream_name{};
    bool operator==(const FirehoseDestinationConfiguration&) const = default;
};
// A union: exactly one destination.
using DestinationConfiguration =
    std::variant<S3DestinationConfiguration, CloudWatchLogsDestinationConfiguration,
                 FirehoseDestinationConfiguration>;

struct LoggingConfiguration {
    std::string id{};
    std::string arn{};  // arn:aws:ivschat:<region>:<account>:logging-configuration/<id>
    std::string name{};
    EpochMillis create_time = 0;
    EpochMillis update_time = 0;
    DestinationConfiguration destination_configuration{};
    std::string state = "ACTIVE";
    Tags tags{};
    bool operator==(const LoggingConfiguration&) const = default;
};

}  // namespace parley::model
