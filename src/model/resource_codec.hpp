#pragma once
// Stored resources onto the wire: the full room / logging configuration that Create, Get and
// Update answer with, and the summaries the List operations return (spec 2.5).
#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

// arn, id, name, createTime, updateTime, maximumMessageLength, maximumMessageRatePerSecond,
// messageReviewHandler (only when set), tags ({} when none), loggingConfigurationIdentifiers.
Value room_to_value(const Room& room);
// RoomSummary: as above without maximumMessageLength / maximumMessageRatePerSecond.
Value room_summary_to_value(const Room& room);

// {"s3":{"bucketName":..}} | {"cloudWatchLogs":{"logGroupName":..}} |
// {"firehose":{"deliveryStreamName":..}}: always exactly one member, as SDKs insist.
Value destination_configuration_to_value(const DestinationConfiguration& destination);
Value message_review_handler_to_value(const MessageReviewHandler& handler);

// arn, id, createTime, updateTime, name, destinationConfiguration, state, tags. The
// LoggingConfigurationSummary has the same members, so List uses this too.
Value logging_configuration_to_value(const LoggingConfiguration& configuration);

}  // namespace parley::model
