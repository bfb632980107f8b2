#pragma once
// Where a logging configuration sends records, reduced to what the writer needs.
#include <cstddef>
#include <string>
#include <string_view>

#include "model/resources.hpp"

namespace parley::chatlog {

enum class DestinationType { S3 = 0, CloudWatchLogs = 1, Firehose = 2 };
inline constexpr std::size_t kDestinationTypes = 3;

struct LogDestination {
    DestinationType type = DestinationType::S3;
    std::string name;  // bucket, log group or delivery stream
    bool operator==(const LogDestination&) const = default;
};

LogDestination destination_of(const model::DestinationConfiguration& configuration);

// "s3", "cloudWatchLogs", "firehose" (the API's member names), used in metrics and logs.
std::string_view type_name(DestinationType type);

}  // namespace parley::chatlog
