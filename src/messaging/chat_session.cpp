#include "messaging/chat_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "messaging/chat_handshake_state.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/ws_frame_encoder.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

namespace {

thread_local std::vector<std::uint8_t> t_read_buffer(64 * 1024);

}  // namespace

ChatSession::ChatSession(asio::io_context& loop, int fd, EdgeContext& ctx, std::size_t loop_index,
                         SSL_CTX* tls)
    : socket_(loop, fd),
      tls_(tls ? std::make_unique<TlsStream>(socket_, tls) : nullptr),
      ctx_(ctx),
      parser_(ctx.settings.max_frame_bytes),
      loop_index_(static_cast<std::uint32_t>(loop_index)) {
    ctx_.metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics.connections_pending.fetch_add(1, std::memory_order_relaxed);
}

void intrusive_ptr_add_ref(ChatSession* s) noexcept {
    s->refs_.fetch_add(1, std::memory_order_relaxed);
}

void intrusive_ptr_release(ChatSession* s) noexcept {
    if (s->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
}

// Must not touch ctx_: at shutdown, sessions still held by abandoned handlers die with the loops'
// io_contexts, after the EdgeContext is gone. The open-connections gauge drops in finish().
ChatSession::~ChatSession() = default;

// TCP_NODELAY is already on: the listener saw to it (chat_listener.cpp).
void ChatSession::start() {
    boost::system::error_code ec;
    last_activity_ms_ = model::now_millis();
    deadline_ms_ = last_activity_ms_ + ctx_.settings.handshake_timeout_ms;
    ctx_.hub->attach(ref());
    socket_.start_polling(ec);
    if (ec) {
        spdlog::warn("chat connection from {} not polled: {}", remote_ip(), ec.message());
        return abort();
    }
    if (!tls_) return admit();
    // The TLS handshake runs under the same deadline as the upgrade (tick() aborts it).
    tls_->async_handshake([self = ref()](const boost::system::error_code& hec, std::size_t) {
        if (self->state_ != State::Handshake) return;
        if (hec) {
            self->ctx_.metrics.tls_handshakes_failed.fetch_add(1, std::memory_order_relaxed);
            spdlog::debug("chat TLS handshake from {} failed: {}", self->remote_ip(),
                          hec.message());
            return self->abort();
        }
        self->admit();
    });
}

std::string ChatSession::remote_ip() const {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

// TLS first says close_notify (if the socket takes it now), then TCP says FIN.
void ChatSession::shutdown_send() {
    if (tls_) tls_->shutdown_now();
    boost::system::error_code ignored;
    socket_.shutdown_send(ignored);
}

// Closing with unread request bytes (a body, an early frame) would send an RST that can destroy
// the answer before the client reads it; so read to EOF (the tick's deadline bounds the wait).
// Read into the loop's shared buffer once readable: a refused connection holds no buffer.
void ChatSession::drain_after_reject() {
    socket_.park(PolledSocket::Read, &ChatSession::on_drain_ready, this);
}

void ChatSession::on_drain_ready(void* p, const boost::system::error_code&) {
    auto self = static_cast<ChatSession*>(p)->ref();  // alive until this returns
    if (self->state_ == State::Closed) return;
    boost::system::error_code rec;
    for (int rounds = 0; rounds < 4 && !rec; ++rounds)
        self->socket_.read_some(asio::buffer(t_read_buffer), rec);
    if (rec && rec != asio::error::would_block && rec != asio::error::try_again)
        return self->finish();  // EOF or reset
    self->drain_after_reject();
}

void ChatSession::leave_pending() {
    if (!pending_) return;
    pending_ = false;
    ctx_.metrics.connections_pending.fetch_sub(1, std::memory_order_relaxed);
}

// ---- reading ---------------------------------------------------------------------------------

void ChatSession::wait_readable() {
    // OpenSSL may need to write before it can read on (a TLS 1.3 key update): wait for that.
    socket_.park(tls_ && tls_->wants_write() ? PolledSocket::Write : PolledSocket::Read,
                 &ChatSession::on_readable_ready, this);
}

void ChatSession::on_readable_ready(void* p, const boost::system::error_code& ec) {
    auto self = static_cast<ChatSession*>(p)->ref();  // alive until this returns
    self->on_readable(ec);
}

void ChatSession::on_readable(const boost::system::error_code& ec) {
    if (state_ == State::Closed) return;
    if (ec) return abort();
    // Read into the loop's shared buffer: an idle connection holds no read buffer of its own.
    auto& buf = t_read_buffer;
    for (int rounds = 0; rounds < 4; ++rounds) {
        boost::system::error_code rec;
        std::size_t n = tls_ ? tls_->read_some(asio::buffer(buf), rec)
                             : socket_.read_some(asio::buffer(buf), rec);
        if (rec == asio::error::would_block || rec == asio::error::try_again) break;
        if (rec) return abort();  // EOF or reset
        last_activity_ms_ = model::now_millis();
        ping_outstanding_ = false;
        if (state_ == State::Closing) continue;  // draining until the peer closes
        consume(buf.data(), n);
        if (state_ == State::Closed) return;
        if (!tls_) {
            if (n < buf.size()) break;
            continue;
        }
        // A TLS read returns one record (16 KiB at most), so read on while bytes are waiting;
        // but do not read until OpenSSL would block: that read allocates its 16 KiB buffer
        // and an idle connection would keep it (SSL_MODE_RELEASE_BUFFERS frees it only once
        // a record was consumed).
        boost::system::error_code aec;
        if (!tls_->has_buffered() && socket_.available(aec) == 0) {
            // The kernel's queue is empty, so the socket's edge is spent: the next byte raises
            // a new one (and a hang-up stays ready regardless).
            socket_.clear_ready(PolledSocket::Read);
            break;
        }
    }
    wait_readable();
}

void ChatSession::consume(const std::uint8_t* data, std::size_t n) {
    std::vector<WsEvent> events;
    auto err = parser_.feed({data, n}, events);
    for (auto& ev : events) {
        if (state_ != State::Open) break;
        switch (ev.kind) {
            case WsEvent::Text:
                ctx_.metrics.messages_received.fetch_add(1, std::memory_order_relaxed);
                on_text(ev.payload);
                break;
            case WsEvent::Binary:
                send_error(model::new_id(), "", 400,
                           "Binary frames are not supported; send JSON text frames");
                break;
            case WsEvent::Ping:
                queue(std::make_shared<const std::string>(encode_frame(Opcode::Pong, ev.payload)));
                break;
            case WsEvent::Pong:
                break;
            case WsEvent::Close:
                close_after_flush(ev.close_code == 0 ? 1000 : ev.close_code, "");
                break;
        }
    }
    if (err != WsProtocolError::None && state_ == State::Open) {
        ctx_.metrics.protocol_errors.fetch_add(1, std::memory_order_relaxed);
        close_after_flush(close_code_for(err), "Protocol error");
    }
}

void ChatSession::close_after_flush(std::uint16_t code, std::string_view reason) {
    if (state_ != State::Open) return;
    queue(std::make_shared<const std::string>(encode_close(code, reason)));
    if (state_ != State::Open) return;  // queue() may have aborted
    state_ = State::Closing;
    deadline_ms_ = model::now_millis() + ctx_.settings.close_linger_ms;
    if (joined_) {
        ctx_.hub->leave(this);
        joined_ = false;
    }
    shutdown_after_flush_ = true;
    if (!writing_ && !dirty_) flush();
}

void ChatSession::abort() {
    if (state_ == State::Closed) return;
    socket_.close();
    finish();
}

void ChatSession::finish() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    leave_pending();
    ctx_.metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
    socket_.close();  // forgets the parked waits: nothing calls back into this session
    if (joined_) {
        ctx_.hub->leave(this);
        joined_ = false;
    }
    // A TLS write under way still reads the frames' bytes until its handler runs.
    if (!(tls_ && writing_)) out_.clear();
    ctx_.hub->detach(this);  // may drop the last reference; nothing may follow
}

void ChatSession::tick(std::int64_t now_ms) {
    switch (state_) {
        case State::Handshake:
        case State::Closing:
            if (now_ms > deadline_ms_) abort();
            return;
        case State::Closed:
            return;
        case State::Open:
            break;
    }
    if (now_ms >= identity_.session_expires_at_ms) {
        // The SDK answers a 401 by fetching a new token and reconnecting.
        send_error(model::new_id(), "", 401, "The connection has expired.");
        return close_after_flush(1000, "Session expired");
    }
    if (out_.empty()) out_.release_memory();
    auto idle = now_ms - last_activity_ms_;
    if (idle > ctx_.settings.idle_close_after_ms) return abort();
    if (idle > ctx_.settings.idle_ping_after_ms && !ping_outstanding_) {
        ping_outstanding_ = true;
        queue(std::make_shared<const std::string>(encode_frame(Opcode::Ping, "")));
    }
}

}  // namespace parley::messaging
