// Parley's own operations beyond IVS Chat (docs/extensions.md): ListRoomMessages pages through
// a room's message history, GetRoomPresence says who is connected. Same signing, validation and
// error shapes as the IVS operations.
#include <limits>

#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"
#include "model/extension_shapes.hpp"
#include "model/json_codec.hpp"

namespace parley::control::ops {

using model::ApiError;

namespace {
constexpr int kDefaultExtensionMaxResults = 50;

std::optional<PageCursor> read_cursor(const ControlContext& ctx,
                                      const std::optional<std::string>& token,
                                      const std::string& filters) {
    if (!token || token->empty()) return std::nullopt;
    auto cursor = ctx.page_tokens.decode(*token, filters);
    if (!cursor) throw ApiError::validation("The nextToken is not valid for this request");
    return cursor;
}
}  // namespace

Value list_room_messages(ControlContext& ctx, const OperationInput& in) {
    auto req = model::ListRoomMessagesRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    const auto start = req.start_time_ns.value_or(std::numeric_limits<std::int64_t>::min());
    const auto end = req.end_time_ns.value_or(std::numeric_limits<std::int64_t>::max());
    const std::string filters =
        "ListRoomMessages\n" + room->id + '\n' + std::to_string(start) + '\n' + std::to_string(end);
    auto cursor = read_cursor(ctx, req.next_token, filters);
    const auto max =
        static_cast<std::size_t>(req.max_results.value_or(kDefaultExtensionMaxResults));

    model::List messages;
    Value out = Value::structure();
    const messaging::RoomHistory* history = ctx.live ? ctx.live->history() : nullptr;
    if (history) {
        const std::uint64_t before = cursor ? static_cast<std::uint64_t>(cursor->update_time) : 0;
        auto page = history->page(room->id, before, max + 1, start, end, model::now_nanos());
        const bool more = page.size() > max;
        if (more) page.resize(max);
        for (const auto& e : page) {
            auto parsed = model::parse_json(*e.json);
            if (parsed.value) messages.push_back(std::move(*parsed.value));
        }
        out.set("messages", Value(std::move(messages)));
        if (more)
            out.set("nextToken", ctx.page_tokens.encode({static_cast<std::int64_t>(page.back().seq),
                                                         page.back().message_id},
                                                        filters));
        return out;
    }
    out.set("messages", Value(std::move(messages)));
    return out;
}

Value get_room_presence(ControlContext& ctx, const OperationInput& in) {
    auto req = model::GetRoomPresenceRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    const std::string filters = "GetRoomPresence\n" + room->id;
    auto cursor = read_cursor(ctx, req.next_token, filters);
    const auto max =
        static_cast<std::size_t>(req.max_results.value_or(kDefaultExtensionMaxResults));
    messaging::PresencePage page;
    if (ctx.live) page = ctx.live->presence_page(room->id, cursor ? cursor->id : "", max);

    model::List users;
    for (const auto& u : page.users)
        users.push_back(Value::structure(
            {{"userId", u.user_id},
             {"attributes", Value::string_map(u.attributes)},
             {"connectionCount", static_cast<std::int64_t>(u.connections)},
             {"connectedSince", model::format_iso8601_millis(u.connected_since_ms)}}));
    Value out = Value::structure();
    out.set("connectionCount", static_cast<std::int64_t>(page.connection_count));
    out.set("userCount", static_cast<std::int64_t>(page.user_count));
    out.set("users", Value(std::move(users)));
    if (page.more && !page.users.empty())
        out.set("nextToken", ctx.page_tokens.encode({0, page.users.back().user_id}, filters));
    return out;
}

}  // namespace parley::control::ops
