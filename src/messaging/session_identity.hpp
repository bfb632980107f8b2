#pragma once
// What an open chat connection keeps of its token: who it is, what it may do and until when.
// The rest of the claims (room ARN, token id, issue times) is checked at the upgrade and not
// kept for the life of the connection: at 10,000 idle connections every byte here counts. The
// user id and attributes live in a UserProfile shared with the room's presence (no copies).
#include <cstdint>
#include <string>
#include <string_view>

#include "messaging/user_profile.hpp"
#include "model/resources.hpp"
#include "token/chat_token_claims.hpp"

namespace parley::messaging {

enum class Capability : std::uint8_t { SendMessage = 1, DeleteMessage = 2, DisconnectUser = 4 };

struct SessionIdentity {
    UserProfilePtr profile;
    std::int64_t session_expires_at_ms = 0;
    std::uint8_t capabilities = 0;  // Capability bits

    static SessionIdentity from(token::ChatTokenClaims&& claims) {
        SessionIdentity id;
        id.profile = UserProfile::make(claims.user_id, std::move(claims.attributes));
        id.session_expires_at_ms = claims.session_expires_at_ms();
        for (std::string_view c : claims.capabilities) {
            if (c == "SEND_MESSAGE") id.capabilities |= std::uint8_t(Capability::SendMessage);
            if (c == "DELETE_MESSAGE") id.capabilities |= std::uint8_t(Capability::DeleteMessage);
            if (c == "DISCONNECT_USER") id.capabilities |= std::uint8_t(Capability::DisconnectUser);
        }
        return id;
    }
    bool may(Capability c) const { return (capabilities & std::uint8_t(c)) != 0; }
    std::string_view user_id() const { return profile ? profile->user_id() : std::string_view{}; }
    const model::Attributes& attributes() const { return profile->attributes(); }
};

}  // namespace parley::messaging
