#include "messaging/chat_listener.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "messaging/chat_session.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

ChatListener::ChatListener(asio::io_context& accept_ctx, asio::ip::tcp::acceptor acceptor,
                           EdgeContext& ctx, RoomHub& hub, ServerTlsContextPtr tls)
    : local_endpoint_(acceptor.local_endpoint()),
      listen_(accept_ctx, acceptor.release()),
      ctx_(ctx),
      hub_(hub),
      tls_(std::move(tls)),
      retry_timer_(accept_ctx) {}

void ChatListener::start() {
    boost::system::error_code ec;
    no_delay_.on_listen(listen_.native_handle());
    // accept4() below must not block: the descriptor Asio hands over may be blocking.
    const int flags = ::fcntl(listen_.native_handle(), F_GETFL);
    if (flags < 0 || ::fcntl(listen_.native_handle(), F_SETFL, flags | O_NONBLOCK) != 0)
        ec = {errno, asio::error::get_system_category()};
    if (!ec) listen_.start_polling(ec, PolledSocket::Trigger::Level);
    if (ec) return accept_failed(ec);
    do_accept();
}

void ChatListener::stop() {
    listen_.close();  // forgets the parked wait: on_acceptable is not called after this
    retry_timer_.cancel();
}

// Connections are accepted with accept4 straight into non-blocking descriptors: no Asio
// socket, hence no reactor state, per connection. The listener is level-triggered and takes
// one connection a wake-up: while more wait, the loop's next epoll_wait reports it again, in
// the same call as the loop's other events. Draining to EAGAIN, as an edge-triggered listener
// must, cost a failed accept4 on most wake-ups (1.6 calls a connection; bench/syscalls.sh).
void ChatListener::do_accept() {
    listen_.park(PolledSocket::Read, &ChatListener::on_acceptable, this);
}

void ChatListener::on_acceptable(void* p, const boost::system::error_code&) {
    // The poller holds no reference: a stopped listener has closed listen_, which forgets
    // this wait, and stop() runs before the listener is freed.
    auto self = static_cast<ChatListener*>(p)->shared_from_this();  // alive until this returns
    if (self->listen_.is_open()) self->accept_round();
}

void ChatListener::accept_round() {
    for (;;) {
        if (!listen_.is_open()) return;  // stopped meanwhile
        int fd = ::accept4(listen_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            start_session(fd);
            break;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        // Gone before it was accepted, or a signal: try the next one.
        if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO) continue;
        return accept_failed({errno, asio::error::get_system_category()});
    }
    accept_failing_ = false;
    // Not known readable any more: the next epoll_wait says whether more are waiting.
    listen_.clear_ready(PolledSocket::Read);
    do_accept();
}

void ChatListener::accept_failed(const boost::system::error_code& ec) {
    // Out of descriptors and the like: back off instead of spinning.
    if (!accept_failing_)
        spdlog::warn("chat accept failed: {} (retrying every 100 ms)", ec.message());
    accept_failing_ = true;
    // Out of the poller meanwhile: a level-triggered listener with connections waiting would
    // wake the loop on every pass.
    listen_.stop_polling();
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    // Weak: a wait still queued when the loop stops must not keep the listener alive.
    retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& e) {
        auto self = weak.lock();
        if (e || !self || !self->listen_.is_open()) return;
        boost::system::error_code ec;
        self->listen_.start_polling(ec, PolledSocket::Trigger::Level);
        if (ec) return self->accept_failed(ec);
        self->accept_round();
    });
}

void ChatListener::start_session(int fd) {
    no_delay_.on_accept(fd);
    std::size_t loop = next_loop_.fetch_add(1) % hub_.loop_count();
    // The context current now: a reload later leaves this connection's alone (its SSL holds a
    // reference to its SSL_CTX).
    auto tls = tls_ ? tls_->current() : nullptr;
    SessionPtr session;
    try {
        session = ChatSession::create(hub_.loop(loop), fd, ctx_, loop,
                                      tls ? tls->native_handle() : nullptr);
    } catch (const std::exception& e) {
        // Its socket, once made, closed `fd` as the session unwound.
        spdlog::warn("chat connection dropped: {}", e.what());
        return;
    }
    // A connection for the loop that accepted it starts now, in this pass: no post.
    if (&listen_.get_executor().context() == &hub_.loop(loop)) return session->start();
    asio::post(hub_.loop(loop), [session] { session->start(); });
}

}  // namespace parley::messaging
