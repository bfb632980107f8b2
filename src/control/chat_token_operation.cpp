#include <openssl/rand.h>
#include <algorithm>

#include "control/operations.hpp"
#include "model/chat_token_shapes.hpp"
#include "model/clock_format.hpp"

namespace parley::control::ops {

namespace {
std::string random_token_id() {
    unsigned char raw[16];
    RAND_bytes(raw, sizeof raw);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 0; i < 16; ++i) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    return out;
}
}  // namespace

Value create_chat_token(ControlContext& ctx, const OperationInput& in) {
    auto req = model::CreateChatTokenRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);

    // Token times have whole-second precision on the service.
    std::int64_t issued = model::now_millis() / 1000 * 1000;
    int minutes = req.session_duration_in_minutes.value_or(model::kDefaultSessionDurationMinutes);

    token::ChatTokenClaims claims;
    claims.room_arn = room->arn;
    claims.user_id = std::move(req.user_id);
    claims.capabilities = req.capabilities.value_or(std::vector<std::string>{});
    claims.attributes = req.attributes.value_or(model::Attributes{});
    claims.session_duration_minutes = minutes;
    claims.issued_at_ms = issued;
    claims.token_expires_at_ms =
        std::min<std::int64_t>(issued + std::int64_t{ctx.settings.token_ttl_minutes} * 60000,
                               claims.session_expires_at_ms());
    claims.token_id = random_token_id();

    model::CreateChatTokenResponse resp{
        .token = ctx.sealer.seal(claims),
        .token_expiration_time = claims.token_expires_at_ms,
        .session_expiration_time = claims.session_expires_at_ms(),
    };
    return resp.to_value();
}

}  // namespace parley::control::ops
