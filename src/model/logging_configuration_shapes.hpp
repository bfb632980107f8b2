#pragma once
// Logging-configuration operations' requests and the List response. Create/Get/Update answer
// with logging_configuration_to_value(configuration) from resource_codec.hpp.
#include <optional>
#include <string>
#include <vector>

#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

struct CreateLoggingConfigurationRequest {
    std::optional<std::string> name{};                     // 0-128 [a-zA-Z0-9-_]*
    DestinationConfiguration destination_configuration{};  // required union, exactly one member
    std::optional<Tags> tags{};                            // <= 50

    Value to_value() const;
    static CreateLoggingConfigurationRequest from_value(const Value& v);
    // Fills name, destination and tags into a configuration the caller has minted.
    void apply_to(LoggingConfiguration& configuration) const;
};

struct GetLoggingConfigurationRequest {
    std::string identifier{};  // required, logging-configuration ARN

    Value to_value() const;
    static GetLoggingConfigurationRequest from_value(const Value& v);
};

struct DeleteLoggingConfigurationRequest {
    std::string identifier{};  // required, logging-configuration ARN

    Value to_value() const;
    static DeleteLoggingConfigurationRequest from_value(const Value& v);
};

struct UpdateLoggingConfigurationRequest {
    std::string identifier{};  // required, logging-configuration ARN
    std::optional<std::string> name{};
    std::optional<DestinationConfiguration> destination_configuration{};

    Value to_value() const;
    static UpdateLoggingConfigurationRequest from_value(const Value& v);
    // Changes only the members the request names; update_time is the caller's.
    void apply_to(LoggingConfiguration& configuration) const;
};

struct ListLoggingConfigurationsRequest {
    std::optional<std::string> next_token{};  // 0-1024, opaque
    std::optional<int> max_results{};         // 1-50, default 50

    Value to_value() const;
    static ListLoggingConfigurationsRequest from_value(const Value& v);
};

struct ListLoggingConfigurationsResponse {
    std::vector<LoggingConfiguration> logging_configurations{};  // as summary items
    std::optional<std::string> next_token{};

    Value to_value() const;
};

}  // namespace parley::model
