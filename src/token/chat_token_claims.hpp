#pragma once
// What a chat token carries from CreateChatToken to the WebSocket upgrade: the room, the user
// and what the user may do there, sealed so that the messaging edge needs no lookup to admit them.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace parley::token {

struct ChatTokenClaims {
    std::string room_arn;
    std::string user_id;
    std::vector<std::string> capabilities;  // SEND_MESSAGE / DISCONNECT_USER / DELETE_MESSAGE
    std::map<std::string, std::string> attributes;
    int session_duration_minutes = 60;
    std::int64_t issued_at_ms = 0;  // epoch millis
    std::int64_t token_expires_at_ms = 0;
    // Random id for single use (ReplayGuard). Left empty, TokenSealer::seal() draws a fresh one
    // (32 hex chars) into the token; open() always returns it.
    std::string token_id;

    bool has_capability(std::string_view c) const {
        return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end();
    }
    // The connection made with the token may stay open until then.
    std::int64_t session_expires_at_ms() const {
        return issued_at_ms + std::int64_t{session_duration_minutes} * 60'000;
    }

    bool operator==(const ChatTokenClaims&) const = default;
};

}  // namespace parley::token
