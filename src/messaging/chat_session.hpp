#pragma once
// One WebSocket connection on the chat door, top to bottom: HTTP upgrade with the chat token as
// subprotocol, then client frames in (parsed without a per-connection read buffer), actions
// checked and published, shared server frames out through a corked, bounded send queue.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "messaging/chat_frames.hpp"
#include "messaging/edge_context.hpp"
#include "messaging/history_join.hpp"
#include "messaging/outbound_queue.hpp"
#include "messaging/polled_socket.hpp"
#include "messaging/rate_limiter.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/session_identity.hpp"
#include "messaging/session_ptr.hpp"
#include "messaging/tls_stream.hpp"
#include "messaging/ws_frame_parser.hpp"
#include "model/value.hpp"
#include "token/chat_token_claims.hpp"

namespace parley::messaging {

struct HandshakeState;
class SendBatch;

class ChatSession {
  public:
    // `tls`: the door's TLS context when it serves wss:// (nullptr: plain ws://). The session
    // takes its own reference to it, so a certificate reload leaves it untouched.
    // `fd`: the accepted, non-blocking connection, served on `loop` (whose index is
    // `loop_index`) by that loop's ReadinessPoller; the session owns and closes it.
    // Made only here: a session is owned through its intrusive count (SessionPtr), never by a
    // std::shared_ptr or on the stack, whose ownership its ref() would contradict.
    static SessionPtr create(boost::asio::io_context& loop, int fd, EdgeContext& ctx,
                             std::size_t loop_index, SSL_CTX* tls = nullptr) {
        return SessionPtr(new ChatSession(loop, fd, ctx, loop_index, tls));
    }
    ChatSession(const ChatSession&) = delete;
    ChatSession& operator=(const ChatSession&) = delete;

    void start();
    // A counted reference to this session (see session_ptr.hpp).
    SessionPtr ref() { return SessionPtr(this); }

    // All of these run on the session's own loop.
    void send(const SharedFrame& frame);
    // A broadcast's delivery: the hub counts its deliveries once per broadcast and loop (one
    // shared counter update, not one per receiver). True when queued (the session is open).
    bool send_uncounted(const SharedFrame& frame);
    void send_error(std::string_view id, std::string_view request_id, int code,
                    std::string_view message);
    void close_after_flush(std::uint16_t code, std::string_view reason);
    void abort();
    void flush();
    // The loop's corked flush of its dirty sessions (RoomHub::flush_dirty): each writes as
    // flush() would, the sends handed to the kernel together through `batch`.
    static void flush_all(std::span<const SessionPtr> sessions, SendBatch& batch);
    void tick(std::int64_t now_ms);

    std::size_t loop_index() const { return loop_index_; }
    // The session's loop: whatever touches the session from elsewhere is posted here.
    boost::asio::any_io_executor executor() { return socket_.get_executor(); }
    const std::string& room_id() const { return room_id_; }
    std::string_view user_id() const { return identity_.user_id(); }
    const UserProfilePtr& profile() const { return identity_.profile; }
    // The peer's address for logs and message review, asked of the socket when needed (not
    // kept: 32 bytes per idle connection). Empty once the socket is gone.
    std::string remote_ip() const;

    // Delivery of a reviewed message, back on this loop (see MessageReviewer).
    void deliver_message(const RoomPtr& room, ChatMessage message);

  private:
    enum class State : std::uint8_t { Handshake, Open, Closing, Closed };

    ChatSession(boost::asio::io_context& loop, int fd, EdgeContext& ctx, std::size_t loop_index,
                SSL_CTX* tls);
    ~ChatSession();

    void admit();
    void read_handshake();
    void read_handshake_plain(boost::system::error_code ec);
    static void on_handshake_readable(void* self, const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void claim_token_cluster_wide(token::ChatTokenClaims claims, std::string room_id,
                                  std::string key, std::string token);
    void complete_handshake(token::ChatTokenClaims claims, const std::string& room_id,
                            std::string_view key, std::string_view token);
    void move_to_loop(std::size_t loop, token::ChatTokenClaims claims, std::string room_id,
                      std::string key, std::string token);
    void finish_handshake(token::ChatTokenClaims claims, const std::string& room_id,
                          std::string_view key, std::string_view token);
    void reject_handshake(unsigned status, std::string_view reason);
    void drain_after_reject();
    void leave_pending();
    void accept_handshake(std::string_view accept_key, std::string_view protocol,
                          std::string_view leftover);

    // Parked on the socket without allocating: the socket's owner (the hub's shard) keeps the
    // session alive, and close() forgets a parked wait, so it holds a plain pointer.
    static void on_readable_ready(void* self, const boost::system::error_code& ec);
    static void on_writable_ready(void* self, const boost::system::error_code& ec);
    static void on_drain_ready(void* self, const boost::system::error_code& ec);

    void wait_readable();
    void shutdown_send();
    void on_readable(const boost::system::error_code& ec);
    void consume(const std::uint8_t* data, std::size_t n);
    void on_text(std::string& payload);

    void on_send_message(const model::Value& req, const std::string& request_id);
    void review_after_cluster_rate(const RoomPtr& room, ChatMessage msg);
    // An ERROR for `id` posted back to this loop, for a publish the bus could not take.
    PublishFailed report_failure(std::string id, std::string request_id);
    void on_delete_message(const model::Value& req, const std::string& request_id);
    void on_disconnect_user(const model::Value& req, const std::string& request_id);
    RoomPtr current_room();

    void queue(const SharedFrame& frame);
    // flush() in two halves: whether plain bytes are to be sent now (a TLS session starts its
    // own write), then what their send came to.
    bool begin_flush();
    void finish_write(OutboundQueue::WriteResult result);
    void flush_tls();
    void wait_writable();
    void after_drained();
    void finish();

    PolledSocket socket_;
    // Set for a wss:// connection. Every read and write checks it once per system call (not
    // per byte), so the plain path costs one predictable branch.
    std::unique_ptr<TlsStream> tls_;
    EdgeContext& ctx_;
    std::unique_ptr<HandshakeState> handshake_;
    WsFrameParser parser_;
    SessionIdentity identity_;
    std::string room_id_;
    TokenBucket request_rate_;
    OutboundQueue out_;
    // ?history=N only (docs/extensions.md); null for a connection that did not ask.
    std::unique_ptr<HistoryJoin> history_join_;
    std::int64_t deadline_ms_ = 0;  // handshake deadline, then close linger deadline
    std::int64_t last_activity_ms_ = 0;
    std::uint32_t loop_index_;

  public:
    std::uint32_t member_slot = 0;  // position in the hub's member list of its loop
    std::uint32_t hub_slot = 0;     // position in the hub's list of its loop's connections

  private:
    friend void intrusive_ptr_add_ref(ChatSession* s) noexcept;
    friend void intrusive_ptr_release(ChatSession* s) noexcept;
    std::atomic<std::uint32_t> refs_{0};
    // Together in one 8-byte word (measured: tests/unit/messaging_chat_session_size_test.cpp).
    State state_ = State::Handshake;
    bool writing_ = false;  // a writable-wait (plain) or a TLS write is under way
    bool dirty_ = false;
    bool joined_ = false;
    bool pending_ = true;  // counted in connections_pending until upgraded or closed
    bool shutdown_after_flush_ = false;
    bool ping_outstanding_ = false;
    bool wants_presence_ = false;  // ?presence=1 (docs/extensions.md)

    ClusterBackfill* cluster_backfill() const {
        return history_join_ ? history_join_->cluster.get() : nullptr;
    }

    friend class RoomHub;
};

}  // namespace parley::messaging
