#pragma once
// Resource and message ids (12 chars [a-zA-Z0-9], as the service mints them) and ARNs.
#include <optional>
#include <string>
#include <string_view>

namespace parley::model {

// 12 random alphanumeric characters from a CSPRNG-seeded generator; thread-safe.
std::string new_id();
bool is_id(std::string_view s);

struct ArnParts {
    std::string region;
    std::string account;
    std::string resource_type;  // "room" or "logging-configuration"
    std::string id;
};

std::string room_arn(std::string_view region, std::string_view account, std::string_view id);
std::string logging_configuration_arn(std::string_view region, std::string_view account,
                                      std::string_view id);
// Parses arn:aws:ivschat:<region>:<account>:<type>/<id>; nullopt if it is not of that form.
std::optional<ArnParts> parse_arn(std::string_view arn);

}  // namespace parley::model
