#include "bus/redis_bus.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <memory>

#include "bus/asio_hiredis.hpp"

namespace parley::bus {

namespace asio = boost::asio;

namespace {

// One script for every publish, so each accepted message costs Redis one command. With ARGV[1]
// > 0 it first takes a token from the room's bucket (tokens `n` at time `t`, in ms of Redis's
// own clock) refilled at ARGV[1] a second up to one second's worth; then, unless ARGV[2] is
// empty, it publishes ARGV[2] on channel ARGV[3]. ARGV[4] is a deadline in Redis's clock: a
// request that reaches Redis later (a stalled server catching up on a link the node has given
// up on and reported as failed) is refused, so a publish reported failed is never delivered.
// With ARGV[5] (a history stream key) it also appends the message (ARGV[8] its id, ARGV[9] its
// JSON) to that stream, trimmed to ARGV[6] entries and ARGV[7] ms of age (the key itself
// expires with its newest entry), and publishes ARGV[2] .. <stream id> .. "\n" .. ARGV[9]:
// the history and the live traffic get the same message in the same order, every node learns
// its stream id, and nothing is recorded that was not published or the other way round.
// Returns 1 done (the stream id when recorded), 0 rate limited, -1 too late.
constexpr const char* kRateScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[4]) then return -1 end
local rate = tonumber(ARGV[1])
if rate > 0 then
  local b = redis.call('HMGET', KEYS[1], 'n', 't')
  local n = tonumber(b[1])
  if n == nil then
    n = rate
  else
    n = math.min(rate, n + (now - tonumber(b[2])) * rate / 1000)
  end
  if n < 1 then return 0 end
  redis.call('HSET', KEYS[1], 'n', tostring(n - 1), 't', tostring(now))
  redis.call('PEXPIRE', KEYS[1], 2000)
end
if ARGV[5] ~= '' then
  local id = redis.call('XADD', ARGV[5], 'MAXLEN', ARGV[6], '*', 'i', ARGV[8], 'j', ARGV[9])
  local age = tonumber(ARGV[7])
  redis.call('XTRIM', ARGV[5], 'MINID', tostring(now - age))
  redis.call('PEXPIRE', ARGV[5], age)
  redis.call('PUBLISH', ARGV[3], ARGV[2] .. id .. '\n' .. ARGV[9])
  return id
end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
return 1
)lua";

// Subscribed first on every subscriber link (see on_link_up); no room maps to it.
constexpr std::string_view kHoldChannel = "parley:bus:hold";

// How long a publish may take to reach Redis; a failure is reported only after it has passed.
constexpr std::int64_t kPublishDeadlineMs = 2500;

struct Pending {
    std::function<void(redisReply*)> fn;
};

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool is_error(const redisReply* r) {
    return !r || r->type == REDIS_REPLY_ERROR;
}

}  // namespace

RedisBus::RedisBus(asio::io_context& io, RedisUrl url, std::size_t max_pending_bytes)
    : io_(io), url_(std::move(url)), max_pending_bytes_(max_pending_bytes), watchdog_(io) {
    for (Link* l : {&cmd_, &sub_}) {
        l->bus = this;
        l->retry = std::make_unique<asio::steady_timer>(io);
    }
    sub_.subscriber = true;
}

RedisBus::~RedisBus() {
    stop();
}

std::string RedisBus::channel_of(std::string_view room_id) {
    return "parley:room:" + std::string(room_id);
}

bool RedisBus::healthy() const {
    return cmd_up_.load(std::memory_order_relaxed) && sub_up_.load(std::memory_order_relaxed);
}

void RedisBus::start() {
    asio::post(io_, [this] {
        connect(cmd_);
        connect(sub_);
        schedule_watchdog();
    });
}

void RedisBus::stop() {
    stopping_ = true;
    watchdog_.cancel();
    for (auto& [room, timer] : leaving_) timer->cancel();
    leaving_.clear();
    for (auto& [room, waiting] : waiters_)
        for (auto& w : waiting) w->timer->cancel();
    waiters_.clear();
    for (Link* l : {&cmd_, &sub_}) {
        l->retry->cancel();
        if (l->ac) {
            auto* ac = l->ac;
            l->ac = nullptr;
            ac->data = nullptr;  // the callbacks below find no link to report to
            redisAsyncFree(ac);
        }
        l->up = false;
    }
    cmd_up_ = sub_up_ = false;
}

void RedisBus::connect(Link& link) {
    if (stopping_) return;
    redisAsyncContext* ac = redisAsyncConnect(url_.host.c_str(), url_.port);
    if (!ac || ac->err) {
        if (ac) redisAsyncFree(ac);
        return on_link_lost(link);
    }
    link.ac = ac;
    ac->data = &link;
    attach_to_asio(ac, io_);
    redisAsyncSetConnectCallback(ac, connected_cb);
    redisAsyncSetDisconnectCallback(ac, disconnected_cb);
    // Queued now, sent as soon as the socket connects, answered before anything sent later.
    if (!url_.password.empty())
        command(link, {"AUTH", url_.password}, [&link](redisReply* r) {
            if (is_error(r) && link.ac) redisAsyncDisconnect(link.ac);
        });
    if (!link.subscriber && url_.db != 0) command(link, {"SELECT", std::to_string(url_.db)}, {});
}

void RedisBus::connected_cb(const redisAsyncContext* ac, int status) {
    auto* link = static_cast<Link*>(ac->data);
    if (!link) return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this callback without calling the disconnect one.
        link->ac = nullptr;
        return link->bus->on_link_lost(*link);
    }
    link->bus->on_link_up(*link);
}

void RedisBus::disconnected_cb(const redisAsyncContext* ac, int) {
    auto* link = static_cast<Link*>(ac->data);
    if (!link) return;
    link->ac = nullptr;  // hiredis frees it when this returns
    link->bus->on_link_lost(*link);
}

void RedisBus::on_link_up(Link& link) {
    link.up = true;
    link.backoff = std::chrono::milliseconds(100);
    if (link.subscriber) {
        on_link_.clear();
        unsubscribing_.clear();
        live_.clear();
        // hiredis 0.14 leaves subscribed mode when a link's channel count drops to 0, and then
        // aborts on the next subscribe/unsubscribe confirmation it finds no callback for. This
        // channel, never published to and never unsubscribed, keeps the count above 0.
        const std::string hold = std::string(kHoldChannel);
        const char* argv[] = {"SUBSCRIBE", hold.c_str()};
        std::size_t lens[] = {9, hold.size()};
        redisAsyncCommandArgv(link.ac, message_cb, this, 2, argv, lens);
        std::vector<std::string> rooms(rooms_.begin(), rooms_.end());
        if (!rooms.empty()) send_subscribe(rooms);
        sub_up_ = true;
    } else {
        command(link, {"SCRIPT", "LOAD", kRateScript}, [this](redisReply* r) {
            if (r && r->type == REDIS_REPLY_STRING) script_sha_.assign(r->str, r->len);
        });
        // Publish deadlines are given in Redis's clock; this node's offset from it (to within
        // the round trip) is measured on every connect.
        const std::int64_t asked = wall_ms();
        command(link, {"TIME"}, [this, asked](redisReply* r) {
            if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return;
            const std::int64_t now = wall_ms();
            const std::int64_t redis_ms = std::stoll(std::string(r->element[0]->str)) * 1000 +
                                          std::stoll(std::string(r->element[1]->str)) / 1000;
            redis_clock_offset_ms_ = redis_ms - (asked + now) / 2;
        });
        ping_sent_ms_ = 0;
        cmd_up_ = true;
    }
}

void RedisBus::on_link_lost(Link& link) {
    bool was_up = link.up;
    link.up = false;
    (link.subscriber ? sub_up_ : cmd_up_) = false;
    if (stopping_) return;
    if (was_up) reconnects_.fetch_add(1, std::memory_order_relaxed);
    // Backoff from 100 ms to 2 s: quick after a restart, gentle while Redis stays away.
    link.retry->expires_after(link.backoff);
    link.backoff = std::min(link.backoff * 2, std::chrono::milliseconds(2000));
    link.retry->async_wait([this, &link](const boost::system::error_code& ec) {
        if (!ec && !link.ac) connect(link);
    });
}

// A stalled Redis does not close its socket: a PING unanswered for 3 s drops the command link,
// which then reconnects like any lost link (and /readyz reports not ready meanwhile).
void RedisBus::schedule_watchdog() {
    watchdog_.expires_after(std::chrono::seconds(1));
    watchdog_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_) return;
        schedule_watchdog();
        if (!cmd_.up || !cmd_.ac) return;
        auto now = steady_ms();
        if (ping_sent_ms_ != 0) {
            if (now - ping_sent_ms_ > 3000) {
                auto* ac = cmd_.ac;
                redisAsyncFree(ac);  // calls disconnected_cb: the link reconnects
            }
            return;
        }
        ping_sent_ms_ = now;
        command(cmd_, {"PING"}, [this](redisReply* r) {
            if (r) ping_sent_ms_ = 0;
        });
    });
}

bool RedisBus::command(Link& link, const std::vector<std::string>& argv, ReplyFn fn) {
    if (!link.ac) {
        if (fn) fn(nullptr);
        return false;
    }
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (auto& a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* pending = fn ? new Pending{std::move(fn)} : nullptr;
    int rc = redisAsyncCommandArgv(link.ac, pending ? reply_cb : nullptr, pending,
                                   static_cast<int>(args.size()), args.data(), lens.data());
    if (rc != REDIS_OK) {
        if (pending) {
            pending->fn(nullptr);
            delete pending;
        }
        return false;
    }
    return true;
}

void RedisBus::reply_cb(redisAsyncContext*, void* reply, void* privdata) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
    pending->fn(static_cast<redisReply*>(reply));
}

bool RedisBus::admit(std::size_t bytes, const Done& done) {
    // Decided on the caller's thread, so a stalled Redis costs a refusal, never a growing queue.
    bool ok = healthy();
    if (ok &&
        pending_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes > max_pending_bytes_) {
        pending_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
        ok = false;
    }
    if (!ok) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        if (done) done(Verdict::Unavailable);
    }
    return ok;
}

void RedisBus::publish(const std::string& room_id, std::string payload, Done done) {
    run_script(room_id, 0, std::move(payload), {}, std::move(done), {});
}

void RedisBus::take_rate_then_publish(const std::string& room_id, int per_second,
                                      std::string payload, Done done) {
    run_script(room_id, std::max(per_second, 1), std::move(payload), {}, std::move(done), {});
}

void RedisBus::publish_recorded(const std::string& room_id, int per_second, std::string head,
                                std::string json, std::string message_id, std::size_t max_messages,
                                std::int64_t max_age_ms, RecordedDone done) {
    Recording rec{.stream_key = history_stream_of(room_id),
                  .max_messages = std::to_string(std::max<std::size_t>(max_messages, 1)),
                  .max_age_ms = std::to_string(std::max<std::int64_t>(max_age_ms, 1)),
                  .message_id = std::move(message_id),
                  .json = std::move(json)};
    Done verdict_only = [done](Verdict v) { done(v, {}); };
    run_script(room_id, per_second > 0 ? per_second : 0, std::move(head), std::move(rec),
               std::move(verdict_only), std::move(done));
}

std::string RedisBus::history_stream_of(std::string_view room_id) {
    return "parley:history:" + std::string(room_id);
}

void RedisBus::run_script(const std::string& room_id, int per_second, std::string payload,
                          Recording rec, Done done, RecordedDone recorded) {
    const std::size_t bytes = payload.size() + rec.json.size() + 128;
    if (!admit(bytes, done)) return;
    asio::post(io_, [this, room_id, per_second, payload = std::move(payload), rec = std::move(rec),
                     done = std::move(done), recorded = std::move(recorded), bytes] {
        const bool publishes = !payload.empty();
        const std::int64_t local_deadline = steady_ms() + kPublishDeadlineMs;
        auto finish = [this, done, recorded, bytes, publishes, local_deadline](redisReply* r) {
            pending_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
            if (!done) return;  // fire and forget (close_room's C envelope)
            if (r && r->type == REDIS_REPLY_STRING && recorded) {
                published_.fetch_add(1, std::memory_order_relaxed);
                return recorded(Verdict::Accepted, std::string_view(r->str, r->len));
            }
            if (r && r->type == REDIS_REPLY_INTEGER) {
                if (r->integer == 1 && publishes)
                    published_.fetch_add(1, std::memory_order_relaxed);
                return done(r->integer == 1   ? Verdict::Accepted
                            : r->integer == 0 ? Verdict::Refused
                                              : Verdict::Unavailable);
            }
            // No answer (link lost) or an error: Redis may still run the request until its
            // deadline, so the failure is reported once the deadline (plus a margin for the
            // clock offset's error) has passed; after that the script refuses it.
            report_after(local_deadline + 200, done);
        };
        std::vector<std::string> argv{
            script_sha_.empty() ? "EVAL" : "EVALSHA",
            script_sha_.empty() ? kRateScript : script_sha_,
            "1",
            "parley:rate:" + room_id,
            std::to_string(per_second),
            payload,
            channel_of(room_id),
            std::to_string(wall_ms() + redis_clock_offset_ms_ + kPublishDeadlineMs),
            rec.stream_key,
            rec.max_messages,
            rec.max_age_ms,
            rec.message_id,
            rec.json};
        if (script_sha_.empty()) return void(command(cmd_, argv, finish));
        // A Redis restarted since SCRIPT LOAD has forgotten the script: run it in full once.
        command(cmd_, argv, [this, argv, finish](redisReply* r) mutable {
            if (r && r->type == REDIS_REPLY_ERROR &&
                std::string_view(r->str, r->len).starts_with("NOSCRIPT")) {
                argv[0] = "EVAL";
                argv[1] = kRateScript;
                command(cmd_, argv, finish);
                return;
            }
            finish(r);
        });
    });
}

void RedisBus::report_after(std::int64_t steady_deadline_ms, const Done& done) {
    auto wait = steady_deadline_ms - steady_ms();
    if (wait <= 0 || stopping_) return done(Verdict::Unavailable);
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(wait));
    timer->async_wait(
        [timer, done](const boost::system::error_code&) { done(Verdict::Unavailable); });
}

void RedisBus::claim_once(const std::string& key, std::int64_t ttl_ms, Done done) {
    if (!admit(key.size() + 64, done)) return;
    asio::post(io_, [this, key, ttl_ms, done = std::move(done)] {
        const std::size_t bytes = key.size() + 64;
        command(cmd_,
                {"SET", key, "1", "NX", "PX", std::to_string(std::max<std::int64_t>(1, ttl_ms))},
                [this, done, bytes](redisReply* r) {
                    pending_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
                    if (is_error(r)) return done(Verdict::Unavailable);
                    done(r->type == REDIS_REPLY_STATUS ? Verdict::Accepted : Verdict::Refused);
                });
    });
}

void RedisBus::subscribe(const std::string& room_id) {
    asio::post(io_, [this, room_id] {
        if (auto it = leaving_.find(room_id); it != leaving_.end()) {
            it->second->cancel();
            leaving_.erase(it);
        }
        if (!rooms_.insert(room_id).second) return;
        if (sub_.up) send_subscribe({room_id});
    });
}

void RedisBus::unsubscribe(const std::string& room_id) {
    asio::post(io_, [this, room_id] {
        if (rooms_.erase(room_id) == 0) return;
        // Lazily: a room's last member leaving is often followed at once by a join (an SDK
        // reconnecting), and an UNSUBSCRIBE crossing a new SUBSCRIBE costs a round trip of
        // messages (see on_message). Listening 2 s longer costs only unused deliveries.
        auto& timer = leaving_[room_id];
        if (timer) timer->cancel();
        timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(2));
        timer->async_wait([this, t = timer, room_id](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            if (auto it = leaving_.find(room_id); it != leaving_.end() && it->second == t)
                leaving_.erase(it);
            if (!rooms_.contains(room_id)) send_unsubscribe(room_id);
        });
    });
}

void RedisBus::send_unsubscribe(const std::string& room_id) {
    if (!sub_.up || !sub_.ac || !on_link_.contains(room_id)) return;
    on_link_.erase(room_id);
    live_.erase(room_id);
    unsubscribing_.insert(room_id);
    auto channel = channel_of(room_id);
    const char* argv[] = {"UNSUBSCRIBE", channel.c_str()};
    std::size_t lens[] = {11, channel.size()};
    redisAsyncCommandArgv(sub_.ac, message_cb, this, 2, argv, lens);
}

void RedisBus::send_subscribe(const std::vector<std::string>& rooms) {
    if (!sub_.ac) return;
    std::vector<std::string> channels;
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<std::size_t> lens{9};
    channels.reserve(rooms.size());
    for (auto& r : rooms) {
        if (unsubscribing_.contains(r) || !on_link_.insert(r).second) continue;
        channels.push_back(channel_of(r));
    }
    if (channels.empty()) return;
    for (auto& c : channels) {
        argv.push_back(c.c_str());
        lens.push_back(c.size());
    }
    // hiredis keeps this callback per channel and calls it for every message on it.
    redisAsyncCommandArgv(sub_.ac, message_cb, this, static_cast<int>(argv.size()), argv.data(),
                          lens.data());
}

void RedisBus::message_cb(redisAsyncContext*, void* reply, void* privdata) {
    static_cast<RedisBus*>(privdata)->on_message(static_cast<redisReply*>(reply));
}

void RedisBus::on_message(redisReply* r) {
    // ["message", channel, payload], or a subscribe/unsubscribe confirmation.
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
    auto* kind = r->element[0];
    if (kind->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) return;
    std::string_view what(kind->str, kind->len);
    std::string_view channel(r->element[1]->str, r->element[1]->len);
    constexpr std::string_view prefix = "parley:room:";
    if (!channel.starts_with(prefix)) return;
    if (what == "unsubscribe") {
        // A room joined again while its UNSUBSCRIBE was in flight is subscribed only now:
        // hiredis drops a channel's callback on this confirmation.
        std::string room(channel.substr(prefix.size()));
        unsubscribing_.erase(room);
        if (rooms_.contains(room) && sub_.up) send_subscribe({room});
        return;
    }
    if (what == "subscribe") return on_subscribed(std::string(channel.substr(prefix.size())));
    if (what != "message") return;
    received_.fetch_add(1, std::memory_order_relaxed);
    if (delivery_)
        delivery_(channel.substr(prefix.size()),
                  std::string_view(r->element[2]->str, r->element[2]->len));
}

void RedisBus::on_subscribed(const std::string& room_id) {
    live_.insert(room_id);
    auto it = waiters_.find(room_id);
    if (it == waiters_.end()) return;
    auto waiting = std::move(it->second);
    waiters_.erase(it);
    for (auto& w : waiting) {
        if (std::exchange(w->done, true)) continue;
        w->timer->cancel();
        w->fn(true);
    }
}

void RedisBus::when_subscribed(const std::string& room_id, std::chrono::milliseconds timeout,
                               std::function<void(bool)> fn) {
    asio::post(io_, [this, room_id, timeout, fn = std::move(fn)]() mutable {
        if (live_.contains(room_id) && sub_.up) return fn(true);
        auto w = std::make_shared<SubscribeWaiter>();
        w->fn = std::move(fn);
        w->timer = std::make_unique<asio::steady_timer>(io_, timeout);
        w->timer->async_wait([w](const boost::system::error_code&) {
            if (!std::exchange(w->done, true)) w->fn(false);
        });
        waiters_[room_id].push_back(std::move(w));
    });
}

void RedisBus::command_async(std::vector<std::string> argv, ReplyFn fn) {
    std::size_t bytes = 64;
    for (const auto& a : argv) bytes += a.size();
    if (!admit(bytes, {})) {
        if (fn) asio::post(io_, [fn] { fn(nullptr); });
        return;
    }
    asio::post(io_, [this, argv = std::move(argv), fn = std::move(fn), bytes] {
        command(cmd_, argv, [this, fn, bytes](redisReply* r) {
            pending_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
            if (fn) fn(r);
        });
    });
}

std::int64_t RedisBus::redis_now_ms() const {
    return wall_ms() + redis_clock_offset_ms_;
}

std::string RedisBus::render_metrics() const {
    std::string out;
    auto line = [&out](const char* name, const char* type, const char* help, std::uint64_t v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
               name + " " + std::to_string(v) + "\n";
    };
    line("parley_bus_connected", "gauge", "1 while both Redis links are up", healthy() ? 1 : 0);
    line("parley_bus_published_total", "counter", "Payloads published on Redis", published_.load());
    line("parley_bus_received_total", "counter", "Payloads received from Redis", received_.load());
    line("parley_bus_refused_total", "counter",
         "Requests refused because Redis was down or the outgoing buffer full", refused_.load());
    line("parley_bus_reconnects_total", "counter", "Redis links lost and reconnected",
         reconnects_.load());
    line("parley_bus_pending_bytes", "gauge", "Bytes sent to Redis and not yet answered",
         pending_bytes_.load());
    return out;
}

}  // namespace parley::bus
