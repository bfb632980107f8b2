#include "chatlog/log_destination.hpp"

#include <type_traits>

namespace parley::chatlog {

LogDestination destination_of(const model::DestinationConfiguration& configuration) {
    return std::visit(
        [](const auto& d) -> LogDestination {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, model::S3DestinationConfiguration>)
                return {DestinationType::S3, d.bucket_name};
            else if constexpr (std::is_same_v<T, model::CloudWatchLogsDestinationConfiguration>)
                return {DestinationType::CloudWatchLogs, d.log_group_name};
            else
                return {DestinationType::Firehose, d.delivery_stream_name};
        },
        configuration);
}

std::string_view type_name(DestinationType type) {
    switch (type) {
        case DestinationType::S3:
            return "s3";
        case DestinationType::CloudWatchLogs:
            return "cloudWatchLogs";
        case DestinationType::Firehose:
            return "firehose";
    }
    return "unknown";
}

}  // namespace parley::chatlog
