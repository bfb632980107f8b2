#pragma once
// Constraints of the model's reusable member shapes (RoomIdentifier, ResourceName, Tags, ...),
// written once so every request that carries such a member checks it the same way (spec 2.3).
#include <array>
#include <cstddef>
#include <string_view>

#include "model/patterns.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

inline constexpr std::size_t kMaxTagsPerResource = 50;
inline constexpr std::size_t kMaxLoggingConfigurationsPerRoom = 3;
inline constexpr int kDefaultMaxResults = 50;

inline constexpr std::array<std::string_view, 2> kFallbackResults = {"ALLOW", "DENY"};

// The same shape is required in one request and optional in another.
constexpr StringRule as_required(StringRule rule) {
    rule.required = true;
    return rule;
}

inline constexpr StringRule kRoomArnRule{
    .min_length = 1, .max_length = 128, .pattern = is_room_arn, .pattern_text = "room ARN"};
inline constexpr StringRule kLoggingConfigurationArnRule{
    .min_length = 1,
    .max_length = 128,
    .pattern = is_logging_configuration_arn,
    .pattern_text = "logging-configuration ARN"};
inline constexpr StringRule kResourceNameRule{
    .max_length = 128, .pattern = is_resource_name, .pattern_text = "[a-zA-Z0-9-_]*"};
inline constexpr StringRule kLambdaArnRule{
    .max_length = 170,
    .pattern = is_lambda_arn_or_empty,
    .pattern_text = "$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+"};
inline constexpr StringRule kNextTokenRule{.max_length = 1024};
inline constexpr StringRule kUserIdRule{.required = true, .min_length = 1, .max_length = 128};
inline constexpr StringRule kReasonRule{.min_length = 1, .max_length = 256};
inline constexpr StringRule kTagKeyRule{.min_length = 1, .max_length = 128};

inline constexpr IntegerRule kMaxResultsRule{.min = 1, .max = 50};
inline constexpr IntegerRule kMaximumMessageLengthRule{.min = 1, .max = 500};
inline constexpr IntegerRule kMaximumMessageRateRule{.min = 1, .max = 100};

// AWS's tag rules reserve the "aws:" prefix, in keys and values, in any letter case.
inline constexpr MapRule kTagsRule{.max_entries = kMaxTagsPerResource,
                                   .min_key_length = 1,
                                   .max_key_length = 128,
                                   .max_value_length = 256,
                                   .reserved_prefix = "aws:"};

}  // namespace parley::model
