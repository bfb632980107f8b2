// Parley's own operations beyond IVS Chat (docs/extensions.md): ListRoomMessages pages through
// a room's message history, GetRoomPresence says who is connected. Same signing, validation and
// error shapes as the IVS operations.
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

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

// Runs `start` (which calls back with an R now or later, from any thread) and answers with
// render(R): at once when the callback came before `start` returned (one node), else through
// the operation's deferral (cluster mode reads Redis without blocking this loop).
template <class R>
Value answer_now_or_later(const OperationInput& in,
                          const std::function<void(std::function<void(R)>)>& start,
                          std::function<Value(R)> render) {
    struct State {
        std::mutex mutex;
        std::optional<R> now;
        Completion later;
    };
    auto state = std::make_shared<State>();
    start([state, render](R r) {
        std::unique_lock lock(state->mutex);
        if (!state->later) {
            state->now = std::move(r);
            return;
        }
        auto later = std::move(state->later);
        lock.unlock();
        later([render, r = std::move(r)]() mutable { return render(std::move(r)); });
    });
    std::unique_lock lock(state->mutex);
    if (state->now) return render(std::move(*state->now));
    if (!in.defer) throw ApiError::internal("This operation cannot wait here");
    state->later = in.defer();
    return Value();
}

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
    if (!ctx.live) return Value::structure({{"messages", Value(model::List{})}});

    using Result = messaging::LiveRoomControl::HistoryPageResult;
    auto* live = ctx.live;
    auto* tokens = &ctx.page_tokens;
    const std::string room_id = room->id;
    const std::string before = cursor ? cursor->id : std::string();
    return answer_now_or_later<Result>(
        in,
        [live, room_id, before, max, start, end](std::function<void(Result)> done) {
            live->history_page(room_id, before, max + 1, start, end, std::move(done));
        },
        [tokens, filters, max](Result page) -> Value {
            if (!page.ok)
                throw ApiError("ServiceUnavailableException", 503,
                               "The message history cannot be read now; retry later");
            model::List messages;
            Value out = Value::structure();
            const bool more = page.items.size() > max;
            if (more) page.items.resize(max);
            for (const auto& e : page.items) {
                auto parsed = model::parse_json(*e.json);
                if (parsed.value) messages.push_back(std::move(*parsed.value));
            }
            out.set("messages", Value(std::move(messages)));
            if (more) out.set("nextToken", tokens->encode({0, page.items.back().cursor}, filters));
            return out;
        });
}

Value get_room_presence(ControlContext& ctx, const OperationInput& in) {
    auto req = model::GetRoomPresenceRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    const std::string filters = "GetRoomPresence\n" + room->id;
    auto cursor = read_cursor(ctx, req.next_token, filters);
    const auto max =
        static_cast<std::size_t>(req.max_results.value_or(kDefaultExtensionMaxResults));

    using Result = std::optional<messaging::PresencePage>;
    auto* live = ctx.live;
    auto* tokens = &ctx.page_tokens;
    const std::string room_id = room->id;
    const std::string after = cursor ? cursor->id : std::string();
    return answer_now_or_later<Result>(
        in,
        [live, room_id, after, max](std::function<void(Result)> done) {
            if (!live) return done(messaging::PresencePage{});
            live->presence_page_async(room_id, after, max, std::move(done));
        },
        [tokens, filters](Result got) -> Value {
            if (!got)
                throw ApiError("ServiceUnavailableException", 503,
                               "Presence cannot be read now; retry later");
            const auto& page = *got;
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
                out.set("nextToken", tokens->encode({0, page.users.back().user_id}, filters));
            return out;
        });
}

}  // namespace parley::control::ops
