#pragma once
// Room membership and fan-out. Membership is kept per event loop (touched only on that loop);
// a small directory says which loops hold members of a room, so one broadcast is posted once
// per such loop, never once per connection. Receivers on a loop are flushed together once per
// loop turn (corked writes).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.hpp"
#include "bus/shared_history.hpp"
#include "bus/shared_presence.hpp"
#include "messaging/chat_frames.hpp"
#include "messaging/edge_context.hpp"
#include "messaging/live_room_control.hpp"
#include "messaging/loop_mailbox.hpp"
#include "messaging/room_history.hpp"
#include "messaging/room_presence.hpp"
#include "messaging/send_batch.hpp"
#include "messaging/session_ptr.hpp"

namespace parley::messaging {

// Called for every MESSAGE/EVENT published to a room (chat logging); may be empty.
using PublishObserver =
    std::function<void(const RoomPtr& room, std::string_view type, const std::string& json)>;
// Told why a publish did not happen: 429 (the room's rate) or 500 (the bus is unavailable).
// Runs on any thread; may be empty.
using PublishFailed = std::function<void(int code)>;

class RoomHub : public LiveRoomControl {
  public:
    RoomHub(std::vector<boost::asio::io_context*> loops, EdgeContext& ctx);
    ~RoomHub() override;

    std::size_t loop_count() const { return shards_.size(); }
    boost::asio::io_context& loop(std::size_t i) { return *shards_[i]->loop; }
    void set_publish_observer(PublishObserver o) { observer_ = std::move(o); }
    // Before any session: a bus that spans nodes (Redis) makes every publish cluster-wide; without
    // one, or with LocalBus, the hub stays purely in process. `node_id` tells this node's own
    // payloads apart when they come back from the bus.
    void set_bus(bus::Bus* b, std::string node_id);
    bool cluster() const { return cluster_; }
    const std::string& node_id() const { return node_id_; }

    bus::Bus* bus() const { return bus_; }
    // Before any session: keep each room's recent messages (null: no history, IVS behaviour).
    void set_history(RoomHistory* h) { history_ = h; }
    // Before any session, cluster mode (--bus redis): history and presence shared by every
    // node (docs/design.md, "Cluster-wide history"). Null `h`: no history.
    void set_shared(bus::SharedHistory* h, HistoryLimits limits, bus::SharedPresence* p);
    // ?history=N is capped at this; 0: history is off.
    std::size_t history_max_messages() const {
        return history_ ? history_->limits().max_messages
                        : (shared_history_ ? shared_limits_.max_messages : 0);
    }

    // On the session's loop.
    void attach(const SessionPtr& s);  // every connection, for ticks and shutdown
    void detach(ChatSession* s);
    void join(const SessionPtr& s);  // after the handshake: member of its room
    void leave(ChatSession* s);
    void mark_dirty(ChatSession* s);  // has queued frames: flush at the end of this loop turn
    // Once a handshake has named the room: the loop the connection should live on (its room's
    // home, EdgeSettings::room_affinity); `current` when there is one loop or affinity is off.
    std::size_t home_loop(const std::string& room_id, std::size_t current);
    // From any thread: `work` runs on loop `i`, after what was queued there before.
    void post_to_loop(std::size_t i, std::function<void()> work) {
        shards_[i]->mailbox->post(std::move(work));
    }

    // From any thread.
    // In cluster mode the local members get the frame once the bus has accepted it (so a frame
    // seen here was seen by the other nodes too), and `failed` hears of a bus that could not.
    void publish(const RoomPtr& room, std::string_view type, std::string json,
                 PublishFailed failed = {});
    // A client's SEND_MESSAGE in cluster mode: the room's rate bucket (cluster-wide) and the
    // publish in one atomic bus step.
    void publish_rated(const RoomPtr& room, std::string json, int per_second, PublishFailed failed);
    // The room's cluster-wide bucket alone (a message to review first): `done` gets the verdict.
    void take_room_rate(const RoomPtr& room, int per_second, bus::Done done);
    void close_room(const std::string& room_id, std::uint16_t code, const std::string& reason);
    void start_ticks();
    // Closes every connection with `code` and waits (bounded) for the closes to be sent.
    void shutdown(std::uint16_t code, const std::string& reason);

    // LiveRoomControl (the HTTP API acting on live connections).
    void send_event(const RoomPtr& room, const std::string& event_id, const std::string& event_name,
                    const model::Attributes& attributes) override;
    void delete_message(const RoomPtr& room, const std::string& event_id,
                        const std::string& message_id, const std::string& reason) override;
    void disconnect_user(const RoomPtr& room, const std::string& event_id,
                         const std::string& user_id, const std::string& reason) override;
    void room_updated(const RoomPtr& room) override;
    void room_deleted(const std::string& room_id) override;

    // Shared by the WebSocket actions and the HTTP API.
    void publish_event(const RoomPtr& room, ChatEvent event, PublishFailed failed = {});
    void disconnect_user_with_event(const RoomPtr& room, ChatEvent event,
                                    const std::string& user_id, const std::string& reason,
                                    PublishFailed failed = {});
    bool available() const override { return !cluster_ || bus_->healthy(); }

    // Extensions (docs/extensions.md).
    const RoomHistory* history() const override { return history_; }
    PresencePage presence_page(const std::string& room_id, const std::string& after_user,
                               std::size_t limit) const override {
        return presence_.page(room_id, after_user, limit);
    }
    void history_page(const std::string& room_id, const std::string& before_cursor,
                      std::size_t limit, std::int64_t start_ns, std::int64_t end_ns,
                      std::function<void(HistoryPageResult)> done) override;
    void presence_page_async(const std::string& room_id, const std::string& after_user,
                             std::size_t limit,
                             std::function<void(std::optional<PresencePage>)> done) override;
    // A deleted message leaves the history (the DELETE_MESSAGE event itself goes out as before).
    void forget_message(const std::string& room_id, std::string_view message_id);

  private:
    struct Shard {
        boost::asio::io_context* loop;
        // Every connection of this loop (owning), each at its ChatSession::hub_slot: 8 bytes a
        // connection where a hash set node and bucket took ~40.
        std::vector<SessionPtr> sessions;
        // sessions.size(), for home_loop() on other loops.
        std::atomic<std::uint32_t> connections{0};
        std::unordered_map<std::string, std::vector<SessionPtr>> rooms;
        std::vector<SessionPtr> dirty;     // owning: a session may close before the flush runs
        std::vector<SessionPtr> flushing;  // the list being flushed (dirty's spare)
        bool flush_posted = false;
        // Made on the loop's thread at its first flush of two or more sessions (io_uring
        // wants its submitter to be the thread that made it); null: one send() each.
        std::unique_ptr<SendBatch> send_batch;
        bool send_batch_tried = false;
        std::unique_ptr<boost::asio::steady_timer> tick_timer;
        // Recorded MESSAGEs (history on), in seq order. Not one asio::post each: a post from
        // the loop's own thread is queued privately and would run after posts from other
        // threads, so members would see the room in another order than its history.
        struct Recorded {
            std::string room_id;
            SharedFrame frame;
            std::uint64_t seq;
        };
        std::mutex inbox_mutex;
        std::vector<Recorded> inbox;
        bool drain_posted = false;
        // Every hand-off to this loop from the hub (frames, recorded-message drains, closes,
        // presence events, cluster backfills), in the order made.
        std::unique_ptr<LoopMailbox> mailbox;
    };
    void drain_inbox(Shard& shard);
    void schedule_tick(std::size_t shard);
    void flush_dirty(Shard& shard);
    SendBatch* batch_for(Shard& shard);
    void deliver_local(const RoomPtr& room, std::string_view type, const std::string& json);
    // A frame to every member of the room, on every loop with members. The calling loop's own
    // members get it at once, in this pass of the loop, so that the flush that follows the pass
    // sends it: a post would deliver it only after the next reactor pass and flush it after the
    // one after that (at 160k deliveries/s: p50 ~60 ms instead of ~25). Other loops: one post.
    void broadcast_frame(const std::string& room_id, const SharedFrame& frame);
    void deliver_frame(Shard& shard, const std::string& room_id, const SharedFrame& frame);
    void disconnect_local(const std::string& room_id, const std::string& user_id,
                          const std::string& reason);
    void close_local(const std::string& room_id, std::uint16_t code, const std::string& reason);
    void on_bus_payload(std::string_view room_id, std::string_view payload);
    // Cluster mode: a frame to this node's members of the room; `id` is a recorded MESSAGE's
    // stream id (empty for anything else), checked against each ?history=N member's floor.
    void deliver_cluster(const std::string& room_id, SharedFrame frame, bus::StreamId id);
    // Origin-node side of a cluster publish the bus accepted (chat log, metrics, members).
    void deliver_cluster_local(const RoomPtr& room, std::string_view type, const std::string& json,
                               bus::StreamId id);
    // A cluster-mode publish of a MESSAGE that enters the shared history (per_second 0: no rate).
    void publish_recorded(const RoomPtr& room, std::string json, int per_second,
                          PublishFailed failed);
    // On the session's loop: the backfill read from the shared history has come back.
    void finish_cluster_backfill(const SessionPtr& s, bool ok, std::vector<bus::HistoryItem> items);
    // Runs `fn(shard, members)` on each loop that has members of the room.
    void for_each_member_loop(const std::string& room_id,
                              std::function<void(Shard&, std::vector<SessionPtr>&)> fn);
    void post_to_loops(const std::vector<std::size_t>& loops, const std::string& room_id,
                       std::function<void(Shard&, std::vector<SessionPtr>&)> fn);
    std::vector<std::size_t> member_loops_locked(const std::string& room_id);
    // Once a second: the parley:USER_JOINED / USER_LEFT events of ?presence=1 clients.
    void flush_presence();

    EdgeContext& ctx_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<bool> send_batch_logged_{false};
    std::mutex directory_mutex_;
    std::unordered_map<std::string, std::vector<std::uint32_t>>
        directory_;  // room -> members per loop
    // Under directory_mutex_: room -> its home loop (home_loop()); dropped with the directory
    // entry when the room's last member leaves.
    std::unordered_map<std::string, std::uint32_t> homes_;
    PublishObserver observer_;
    bus::Bus* bus_ = nullptr;
    bool cluster_ = false;
    std::string node_id_;
    RoomHistory* history_ = nullptr;
    RoomPresence presence_;
    bus::SharedHistory* shared_history_ = nullptr;
    HistoryLimits shared_limits_;
    bus::SharedPresence* shared_presence_ = nullptr;
};

}  // namespace parley::messaging
