#pragma once
// The bus of a cluster, on Redis: one connection for commands (PUBLISH, the rate script, token
// claims) and one for SUBSCRIBE, both driven by hiredis from one Asio event loop. Rooms map to
// channels parley:room:<id>; a node subscribes only to rooms with local members. Lost links are
// reconnected with backoff and the subscriptions restored; while a link is down every request
// answers Unavailable at once (never queued, never dropped silently).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bus/bus.hpp"
#include "bus/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace parley::bus {

class RedisBus final : public Bus {
  public:
    // `io` is one of the server's event loops: every hiredis call happens on it.
    RedisBus(boost::asio::io_context& io, RedisUrl url,
             std::size_t max_pending_bytes = 16 * 1024 * 1024);
    ~RedisBus() override;

    bool spans_nodes() const override { return true; }
    bool healthy() const override;
    void set_delivery(Delivery d) override { delivery_ = std::move(d); }
    void start() override;
    // Frees both connections; call on the loop's thread or after the loop has stopped.
    void stop();

    void subscribe(const std::string& room_id) override;
    void unsubscribe(const std::string& room_id) override;
    void publish(const std::string& room_id, std::string payload, Done done) override;
    void take_rate_then_publish(const std::string& room_id, int per_second, std::string payload,
                                Done done) override;
    void claim_once(const std::string& key, std::int64_t ttl_ms, Done done) override;
    void publish_recorded(const std::string& room_id, int per_second, std::string head,
                          std::string json, std::string message_id, std::size_t max_messages,
                          std::int64_t max_age_ms, RecordedDone done) override;
    std::string render_metrics() const override;

    static std::string channel_of(std::string_view room_id);
    static std::string history_stream_of(std::string_view room_id);

    // For the bus's companions on the same links (redis_history, redis_presence).
    using ReplyFn = std::function<void(redisReply*)>;  // null reply: the link was lost
    // From any thread: sends argv on the command link; `fn` runs on the bus loop (null reply at
    // once when the link is down or the outgoing buffer full).
    void command_async(std::vector<std::string> argv, ReplyFn fn);
    // From any thread: `fn(true)` on the bus loop once Redis has confirmed this node's
    // SUBSCRIBE to the room's channel (at once if it has), so whatever is published from then
    // on reaches this node; `fn(false)` if that takes longer than `timeout`.
    void when_subscribed(const std::string& room_id, std::chrono::milliseconds timeout,
                         std::function<void(bool)> fn);
    boost::asio::io_context& io() { return io_; }
    // This node's wall clock moved onto Redis's (the offset measured on connect).
    std::int64_t redis_now_ms() const;

  private:
    struct Link {
        redisAsyncContext* ac = nullptr;
        bool up = false;
        bool subscriber = false;
        std::chrono::milliseconds backoff{100};
        std::unique_ptr<boost::asio::steady_timer> retry;
        RedisBus* bus = nullptr;
    };
    struct Recording {  // the history part of a recorded publish (empty: none)
        std::string stream_key, max_messages, max_age_ms, message_id, json;
    };
    struct SubscribeWaiter {
        std::function<void(bool)> fn;
        std::unique_ptr<boost::asio::steady_timer> timer;
        bool done = false;
    };

    void connect(Link& link);
    void on_link_up(Link& link);
    void on_link_lost(Link& link);
    // Sends argv on `link` (on the loop); `fn` runs with the reply. Unavailable when down.
    bool command(Link& link, const std::vector<std::string>& argv, ReplyFn fn);
    // Runs `fn` on the loop, unless the outgoing buffer would go over its bound: then `done`
    // gets Unavailable at once and the refusal is counted.
    bool admit(std::size_t bytes, const Done& done);
    // The publish script (rate 0: no bucket); see kRateScript.
    void run_script(const std::string& room_id, int per_second, std::string payload, Recording rec,
                    Done done, RecordedDone recorded);
    void on_subscribed(const std::string& room_id);
    // Unavailable to `done` at steady_deadline_ms (at once if past).
    void report_after(std::int64_t steady_deadline_ms, const Done& done);
    // SUBSCRIBE for rooms not yet on the link (and not being unsubscribed: their confirmation
    // subscribes them again if still wanted, so the two commands never cross for one channel).
    void send_subscribe(const std::vector<std::string>& rooms);
    void send_unsubscribe(const std::string& room_id);
    void schedule_watchdog();
    void on_message(redisReply* reply);

    static void connected_cb(const redisAsyncContext* ac, int status);
    static void disconnected_cb(const redisAsyncContext* ac, int status);
    static void reply_cb(redisAsyncContext* ac, void* reply, void* privdata);
    static void message_cb(redisAsyncContext* ac, void* reply, void* privdata);

    boost::asio::io_context& io_;
    RedisUrl url_;
    std::size_t max_pending_bytes_;
    Delivery delivery_;
    Link cmd_, sub_;
    std::unordered_set<std::string> rooms_;  // wanted: subscribed now or on reconnect
    // The subscriber link's own view, reset when it reconnects: channels sent SUBSCRIBE, and
    // rooms whose UNSUBSCRIBE is not yet confirmed.
    std::unordered_set<std::string> on_link_, unsubscribing_;
    // Channels whose SUBSCRIBE Redis has confirmed, and who waits for a confirmation.
    std::unordered_set<std::string> live_;
    std::unordered_map<std::string, std::vector<std::shared_ptr<SubscribeWaiter>>> waiters_;
    // One lazy-unsubscribe timer per room, restarted by each leave, dropped by a join.
    std::unordered_map<std::string, std::shared_ptr<boost::asio::steady_timer>> leaving_;
    std::string script_sha_;  // of the rate script, once SCRIPT LOAD answered
    boost::asio::steady_timer watchdog_;
    std::int64_t ping_sent_ms_ = 0;  // 0: no PING outstanding
    // Redis's clock minus ours, measured on connect (read from any thread by redis_now_ms).
    std::atomic<std::int64_t> redis_clock_offset_ms_{0};
    bool stopping_ = false;

    std::atomic<bool> cmd_up_{false}, sub_up_{false};
    std::atomic<std::size_t> pending_bytes_{0};
    std::atomic<std::uint64_t> published_{0}, received_{0}, refused_{0}, reconnects_{0};
};

}  // namespace parley::bus
