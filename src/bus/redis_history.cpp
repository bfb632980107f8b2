#include "bus/redis_history.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <limits>
#include <memory>

namespace parley::bus {

namespace {

// DELETE_MESSAGE: a stream is indexed by entry id only, so the message id is looked up among
// the room's entries (at most --history-messages of them) inside Redis, in one step.
constexpr const char* kRemoveByMessageIdScript = R"lua(
local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[2])
for _, e in ipairs(entries) do
  local f = e[2]
  for k = 1, #f, 2 do
    if f[k] == 'i' and f[k + 1] == ARGV[1] then
      redis.call('XDEL', KEYS[1], e[1])
      return 1
    end
  end
end
return 0
)lua";

// [[id, [field, value, ...]], ...] of XRANGE/XREVRANGE, in reply order; entries older than
// `oldest_ms` (past the age limit but not yet trimmed) are skipped.
std::vector<HistoryItem> history_items_of(const redisReply* r, std::int64_t oldest_ms) {
    std::vector<HistoryItem> out;
    if (!r || r->type != REDIS_REPLY_ARRAY) return out;
    out.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) {
        const redisReply* e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            e->element[0]->type != REDIS_REPLY_STRING || e->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        auto id = parse_stream_id(std::string_view(e->element[0]->str, e->element[0]->len));
        if (!id || static_cast<std::int64_t>(id->ms) < oldest_ms) continue;
        const redisReply* fields = e->element[1];
        for (std::size_t k = 0; k + 1 < fields->elements; k += 2) {
            const redisReply* name = fields->element[k];
            const redisReply* value = fields->element[k + 1];
            if (name->type == REDIS_REPLY_STRING && name->len == 1 && name->str[0] == 'j' &&
                value->type == REDIS_REPLY_STRING)
                out.push_back(HistoryItem{*id, std::string(value->str, value->len)});
        }
    }
    return out;
}

bool reply_failed(const redisReply* r) {
    return !r || r->type == REDIS_REPLY_ERROR;
}

}  // namespace

RedisHistory::RedisHistory(RedisBus& bus, std::size_t max_messages, std::int64_t max_age_ms)
    : bus_(bus), max_messages_(max_messages), max_age_ms_(max_age_ms) {
    if (const char* env = std::getenv("PARLEY_TEST_BACKFILL_READ_DELAY_MS"); env && *env)
        read_delay_ms_ = std::max(0, std::atoi(env));
}

void RedisHistory::backfill(const std::string& room_id, std::size_t n, HistoryItemsDone done) {
    // Subscribed first, read second (see SharedHistory::backfill): a message appended after the
    // read is published after it too, and Redis has confirmed the subscription before.
    bus_.when_subscribed(room_id, std::chrono::seconds(3), [this, room_id, n, done](bool live) {
        if (!live) return done(false, {});
        if (read_delay_ms_ == 0) return read_tail(room_id, n, done);
        auto timer = std::make_shared<boost::asio::steady_timer>(
            bus_.io(), std::chrono::milliseconds(read_delay_ms_));
        timer->async_wait([this, timer, room_id, n, done](const boost::system::error_code&) {
            read_tail(room_id, n, done);
        });
    });
}

void RedisHistory::read_tail(const std::string& room_id, std::size_t n, HistoryItemsDone done) {
    bus_.command_async(
        {"XREVRANGE", RedisBus::history_stream_of(room_id), "+", "-", "COUNT", std::to_string(n)},
        [this, done](redisReply* r) {
            if (reply_failed(r)) return done(false, {});
            auto items = history_items_of(r, bus_.redis_now_ms() - max_age_ms_);
            std::reverse(items.begin(), items.end());
            done(true, std::move(items));
        });
}

void RedisHistory::page(const std::string& room_id, std::optional<StreamId> before,
                        std::size_t limit, std::int64_t start_ms, std::int64_t end_ms,
                        HistoryItemsDone done) {
    start_ms = std::max(start_ms, bus_.redis_now_ms() - max_age_ms_);
    if (end_ms < 0 || end_ms < start_ms) return done(true, {});
    // Upper bound: below the cursor, and no later than end_ms (an id "<ms>" as the end of a
    // range means every sequence number of that millisecond).
    std::string upper = end_ms == std::numeric_limits<std::int64_t>::max() ? std::string("+")
                                                                           : std::to_string(end_ms);
    if (before && (end_ms == std::numeric_limits<std::int64_t>::max() ||
                   before->ms <= static_cast<std::uint64_t>(end_ms)))
        upper = "(" + before->str();
    std::string lower = start_ms <= 0 ? std::string("-") : std::to_string(start_ms);
    const std::int64_t oldest = start_ms;
    bus_.command_async({"XREVRANGE", RedisBus::history_stream_of(room_id), upper, lower, "COUNT",
                        std::to_string(std::max<std::size_t>(limit, 1))},
                       [done, oldest](redisReply* r) {
                           if (reply_failed(r)) return done(false, {});
                           done(true, history_items_of(r, oldest));
                       });
}

void RedisHistory::remove(const std::string& room_id, const std::string& message_id) {
    bus_.command_async({"EVAL", kRemoveByMessageIdScript, "1", RedisBus::history_stream_of(room_id),
                        message_id, std::to_string(std::max<std::size_t>(max_messages_, 1))},
                       {});
}

void RedisHistory::drop_room(const std::string& room_id) {
    bus_.command_async({"DEL", RedisBus::history_stream_of(room_id)}, {});
}

}  // namespace parley::bus
