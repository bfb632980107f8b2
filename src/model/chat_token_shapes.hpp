#pragma once
// CreateChatToken request and response: the pattern every shape follows. A shape is a plain
// aggregate (construct it with designated initializers, i.e. named arguments), to_value() puts
// it on the generic tree in the model's member names, from_value() reads and validates.
// Every member has a default initializer ({}), so a designated initializer may leave any out
// (GCC's -Wmissing-field-initializers, an error here, fires otherwise).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

inline constexpr std::array<std::string_view, 3> kChatTokenCapabilities = {
    "SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"};
inline constexpr int kDefaultSessionDurationMinutes = 60;
inline constexpr std::size_t kMaxAttributesBytes = 1024;

struct CreateChatTokenRequest {
    std::string room_identifier{};                           // required, room ARN
    std::string user_id{};                                   // required, 1-128
    std::optional<std::vector<std::string>> capabilities{};  // list of ChatTokenCapability
    std::optional<int> session_duration_in_minutes{};        // 1-180, default 60
    std::optional<Attributes> attributes{};                  // <= 1 KB in total

    Value to_value() const;
    // Validates every member; throws ApiError (ValidationException) listing each bad field.
    static CreateChatTokenRequest from_value(const Value& v);
};

struct CreateChatTokenResponse {
    std::string token{};
    EpochMillis token_expiration_time = 0;
    EpochMillis session_expiration_time = 0;

    Value to_value() const;
};

}  // namespace parley::model
