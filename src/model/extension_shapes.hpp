#pragma once
// Requests of Parley's own control operations, beyond IVS Chat (docs/extensions.md):
// ListRoomMessages and GetRoomPresence. Validated like the IVS ones (ValidationException with
// fieldList).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/clock_format.hpp"  // parse_iso8601_nanos, used by these shapes
#include "model/value.hpp"

namespace parley::model {

struct ListRoomMessagesRequest {
    std::string room_identifier{};     // required, room ARN
    std::optional<int> max_results{};  // 1-100, default 50
    std::optional<std::string> next_token{};
    std::optional<std::int64_t> start_time_ns{};  // ISO 8601 on the wire
    std::optional<std::int64_t> end_time_ns{};

    static ListRoomMessagesRequest from_value(const Value& v);
};

struct GetRoomPresenceRequest {
    std::string room_identifier{};     // required, room ARN
    std::optional<int> max_results{};  // 1-100, default 50
    std::optional<std::string> next_token{};

    static GetRoomPresenceRequest from_value(const Value& v);
};

}  // namespace parley::model
