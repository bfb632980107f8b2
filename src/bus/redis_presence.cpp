#include "bus/redis_presence.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>

#include "model/json_codec.hpp"
#include "model/value.hpp"

namespace parley::bus {

namespace {

// Shared by the scripts below: `n` connections of `user` in room prefix `p` came / are gone;
// the first / the last one publishes the user's arrival / departure on the room's channel.
constexpr const char* kPresenceLeaveLua = R"lua(
local function join(p, user, n, attrs, now, channel)
  local total = redis.call('INCRBY', p .. ':total', n)
  local c = redis.call('HINCRBY', p .. ':conns', user, n)
  if c == n then
    redis.call('ZADD', p .. ':users', 0, user)
    redis.call('HSET', p .. ':meta', user, string.format('%d', now) .. '\n' .. attrs)
    redis.call('PUBLISH', channel, '*\nP\nJ\n' .. redis.call('ZCARD', p .. ':users') .. '\n' ..
               total .. '\n' .. user)
  end
end
local function leave(p, user, n, channel)
  local total = redis.call('DECRBY', p .. ':total', n)
  if total <= 0 then redis.call('DEL', p .. ':total'); total = 0 end
  local c = redis.call('HINCRBY', p .. ':conns', user, -n)
  if c <= 0 then
    redis.call('HDEL', p .. ':conns', user)
    redis.call('ZREM', p .. ':users', user)
    redis.call('HDEL', p .. ':meta', user)
    redis.call('PUBLISH', channel, '*\nP\nL\n' .. redis.call('ZCARD', p .. ':users') .. '\n' ..
               total .. '\n' .. user)
  end
end
)lua";

// ARGV: room, node, user, attributes JSON, channel.
constexpr const char* kPresenceConnectLua = R"lua(
local p = 'parley:presence:' .. ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HINCRBY', p .. ':node:' .. ARGV[2], ARGV[3], 1)
redis.call('SADD', 'parley:presence:node:' .. ARGV[2], ARGV[1])
join(p, ARGV[3], 1, ARGV[4], now, ARGV[5])
return 0
)lua";

// ARGV: node, then (room, user, connections, attributes JSON) for every user present on the
// node: Redis's record of the node becomes exactly that, the room counts move by the
// difference, and users who cross 0 <-> 1 are announced. After this node's commands failed
// (Redis down) or it was counted out while cut off, this puts it right in one step.
constexpr const char* kPresenceResyncLua = R"lua(
local node = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = {}
for k = 2, #ARGV, 4 do
  want[ARGV[k]] = want[ARGV[k]] or {}
  want[ARGV[k]][ARGV[k + 1]] = {tonumber(ARGV[k + 2]), ARGV[k + 3], 0}
end
local rooms_key = 'parley:presence:node:' .. node
for _, room in ipairs(redis.call('SMEMBERS', rooms_key)) do
  local p = 'parley:presence:' .. room
  local nk = p .. ':node:' .. node
  local h = redis.call('HGETALL', nk)
  for k = 1, #h, 2 do
    local have = tonumber(h[k + 1])
    local w = want[room] and want[room][h[k]]
    local wanted = 0
    if w then wanted = w[1]; w[3] = have end
    if have > wanted then leave(p, h[k], have - wanted, 'parley:room:' .. room) end
  end
  redis.call('DEL', nk)
end
redis.call('DEL', rooms_key)
for room, users in pairs(want) do
  local p = 'parley:presence:' .. room
  for user, w in pairs(users) do
    if w[1] > w[3] then join(p, user, w[1] - w[3], w[2], now, 'parley:room:' .. room) end
    redis.call('HSET', p .. ':node:' .. node, user, w[1])
  end
  redis.call('SADD', rooms_key, room)
end
return 1
)lua";

// ARGV: room, node, user, channel. A node counted out meanwhile has nothing left to take back.
constexpr const char* kPresenceDisconnectLua = R"lua(
local p = 'parley:presence:' .. ARGV[1]
local nk = p .. ':node:' .. ARGV[2]
local mine = tonumber(redis.call('HGET', nk, ARGV[3]) or '0')
if mine <= 0 then return -1 end
if mine == 1 then redis.call('HDEL', nk, ARGV[3]) else redis.call('HINCRBY', nk, ARGV[3], -1) end
if redis.call('EXISTS', nk) == 0 then
  redis.call('SREM', 'parley:presence:node:' .. ARGV[2], ARGV[1])
end
leave(p, ARGV[3], 1, ARGV[4])
return 0
)lua";

// ARGV: node, stale ms. Heartbeat of this node, then every node silent for longer is counted
// out (a few per call). Returns 1 if this node was still registered, 0 if it was not.
constexpr const char* kPresenceHeartbeatLua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local had = redis.call('ZSCORE', 'parley:presence:nodes', ARGV[1])
redis.call('ZADD', 'parley:presence:nodes', now, ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', 'parley:presence:nodes', '-inf',
                        string.format('%d', now - tonumber(ARGV[2])), 'LIMIT', 0, 8)
for _, node in ipairs(dead) do
  local rooms = redis.call('SMEMBERS', 'parley:presence:node:' .. node)
  for _, room in ipairs(rooms) do
    local p = 'parley:presence:' .. room
    local nk = p .. ':node:' .. node
    local h = redis.call('HGETALL', nk)
    for k = 1, #h, 2 do leave(p, h[k], tonumber(h[k + 1]), 'parley:room:' .. room) end
    redis.call('DEL', nk)
  end
  redis.call('DEL', 'parley:presence:node:' .. node)
  redis.call('ZREM', 'parley:presence:nodes', node)
end
if had then return 1 end
return 0
)lua";

// ARGV: room, after user ('' from the first), limit. {users, connections, [user, conns, meta]*}
constexpr const char* kPresencePageLua = R"lua(
local p = 'parley:presence:' .. ARGV[1]
local out = {redis.call('ZCARD', p .. ':users'), tonumber(redis.call('GET', p .. ':total') or '0')}
local from = '-'
if ARGV[2] ~= '' then from = '(' .. ARGV[2] end
local names = redis.call('ZRANGEBYLEX', p .. ':users', from, '+', 'LIMIT', 0, tonumber(ARGV[3]) + 1)
for _, u in ipairs(names) do
  out[#out + 1] = u
  out[#out + 1] = redis.call('HGET', p .. ':conns', u) or '0'
  out[#out + 1] = redis.call('HGET', p .. ':meta', u) or ''
end
return out
)lua";

std::string presence_script(const char* body) {
    return std::string(kPresenceLeaveLua) + body;
}

std::string presence_reply_text(const redisReply* r) {
    return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}

std::int64_t presence_reply_int(const redisReply* r) {
    if (!r) return 0;
    if (r->type == REDIS_REPLY_INTEGER) return r->integer;
    if (r->type == REDIS_REPLY_STRING) {
        try {
            return std::stoll(std::string(r->str, r->len));
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

model::Attributes attributes_of_json(std::string_view json) {
    model::Attributes out;
    auto parsed = model::parse_json(json);
    if (!parsed.value || !parsed.value->is_object()) return out;
    for (const auto& [k, v] : parsed.value->members())
        if (v.kind() == model::Value::Kind::String) out[k] = v.as_string();
    return out;
}

}  // namespace

RedisPresence::RedisPresence(RedisBus& bus, std::string node_id)
    : bus_(bus), node_id_(std::move(node_id)), timer_(bus.io()) {}

RedisPresence::~RedisPresence() = default;

void RedisPresence::start() {
    boost::asio::post(bus_.io(), [this] { tick(); });
}

void RedisPresence::stop() {
    timer_.cancel();
}

void RedisPresence::tick() {
    bus_.command_async(
        {"EVAL", presence_script(kPresenceHeartbeatLua), "0", node_id_, std::to_string(kStaleMs)},
        [this](redisReply* r) {
            if (!r || r->type != REDIS_REPLY_INTEGER) {
                out_of_sync_ = true;  // Redis unreachable: changes meanwhile may be lost
                return;
            }
            // Counted out while this node could not reach Redis: its users are no longer
            // present anywhere.
            if (r->integer == 0 && registered_) out_of_sync_ = true;
            registered_ = true;
            if (out_of_sync_) resync();
        });
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

void RedisPresence::resync() {
    std::vector<std::string> argv{"EVAL", presence_script(kPresenceResyncLua), "0", node_id_};
    for (const auto& [room, users] : mine_)
        for (const auto& [user, m] : users) {
            argv.push_back(room);
            argv.push_back(user);
            argv.push_back(std::to_string(m.connections));
            argv.push_back(m.attributes_json);
        }
    out_of_sync_ = false;
    bus_.command_async(std::move(argv), [this](redisReply* r) {
        if (!r || r->type != REDIS_REPLY_INTEGER) out_of_sync_ = true;  // again next second
    });
}

// On the bus loop, in the order of the calls: `mine_` is what this node has asked Redis to
// count, in the order the commands go out, so a resync sends exactly the node's state.
void RedisPresence::connected(const std::string& room_id, const std::string& user_id,
                              const model::Attributes& attributes) {
    boost::asio::post(bus_.io(), [this, room_id, user_id,
                                  attrs = model::to_json(model::Value::string_map(attributes))] {
        auto& m = mine_[room_id][user_id];
        if (m.connections++ == 0) m.attributes_json = attrs;
        bus_.command_async({"EVAL", presence_script(kPresenceConnectLua), "0", room_id, node_id_,
                            user_id, attrs, RedisBus::channel_of(room_id)},
                           [this](redisReply* r) {
                               if (!r || r->type == REDIS_REPLY_ERROR) out_of_sync_ = true;
                           });
    });
}

void RedisPresence::disconnected(const std::string& room_id, const std::string& user_id) {
    boost::asio::post(bus_.io(), [this, room_id, user_id] {
        auto room = mine_.find(room_id);
        if (room == mine_.end()) return;
        auto user = room->second.find(user_id);
        if (user == room->second.end()) return;
        if (--user->second.connections <= 0) room->second.erase(user);
        if (room->second.empty()) mine_.erase(room);
        bus_.command_async({"EVAL", presence_script(kPresenceDisconnectLua), "0", room_id, node_id_,
                            user_id, RedisBus::channel_of(room_id)},
                           [this](redisReply* r) {
                               if (!r || r->type == REDIS_REPLY_ERROR) out_of_sync_ = true;
                           });
    });
}

void RedisPresence::page(const std::string& room_id, const std::string& after_user,
                         std::size_t limit, std::function<void(SharedPresencePage)> done) {
    bus_.command_async({"EVAL", presence_script(kPresencePageLua), "0", room_id, after_user,
                        std::to_string(limit)},
                       [done, limit](redisReply* r) {
                           SharedPresencePage page;
                           if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 2)
                               return done(page);
                           page.ok = true;
                           page.user_count = presence_reply_int(r->element[0]);
                           page.connection_count = presence_reply_int(r->element[1]);
                           for (std::size_t i = 2; i + 2 < r->elements; i += 3) {
                               if (page.users.size() == limit) {
                                   page.more = true;
                                   break;
                               }
                               SharedPresenceUser u;
                               u.user_id = presence_reply_text(r->element[i]);
                               u.connections = presence_reply_int(r->element[i + 1]);
                               auto meta = presence_reply_text(r->element[i + 2]);
                               auto nl = meta.find('\n');
                               if (nl != std::string::npos) {
                                   try {
                                       u.connected_since_ms = std::stoll(meta.substr(0, nl));
                                   } catch (...) {
                                   }
                                   u.attributes =
                                       attributes_of_json(std::string_view(meta).substr(nl + 1));
                               }
                               page.users.push_back(std::move(u));
                           }
                           done(std::move(page));
                       });
}

}  // namespace parley::bus
