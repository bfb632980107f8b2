#include "messaging/chat_listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "messaging/chat_session.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

ChatListener::ChatListener(asio::ip::tcp::acceptor acceptor, EdgeContext& ctx, RoomHub& hub,
                           ServerTlsContextPtr tls)
    : acceptor_(std::move(acceptor)),
      ctx_(ctx),
      hub_(hub),
      tls_(std::move(tls)),
      retry_timer_(acceptor_.get_executor()) {}

void ChatListener::start() {
    boost::system::error_code ec;
    acceptor_.native_non_blocking(true, ec);
    do_accept();
}

void ChatListener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
}

// One wake-up accepts every connection waiting (up to a bound), with accept4 straight into
// non-blocking descriptors: no Asio socket, hence no reactor state, per connection.
void ChatListener::do_accept() {
    acceptor_.async_wait(asio::ip::tcp::acceptor::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& ec) {
                             if (ec == asio::error::operation_aborted || !self->acceptor_.is_open())
                                 return;
                             if (ec) return self->accept_failed(ec);
                             self->accept_round();
                         });
}

void ChatListener::accept_round() {
    for (int i = 0; i < kAcceptsPerWake; ++i) {
        int fd =
            ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            start_session(fd);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            accept_failing_ = false;
            return do_accept();  // drained: the next connection raises a new edge
        }
        // Gone before it was accepted, or a signal: try the next one.
        if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO) continue;
        return accept_failed({errno, asio::error::get_system_category()});
    }
    accept_failing_ = false;
    // More may be waiting and Asio's wait reports only new ones (its registration is
    // edge-triggered): accept on after whatever else the context has queued.
    asio::post(retry_timer_.get_executor(), [self = shared_from_this()] {
        if (self->acceptor_.is_open()) self->accept_round();
    });
}

void ChatListener::accept_failed(const boost::system::error_code& ec) {
    // Out of descriptors and the like: back off instead of spinning.
    if (!accept_failing_)
        spdlog::warn("chat accept failed: {} (retrying every 100 ms)", ec.message());
    accept_failing_ = true;
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
        if (!e) self->accept_round();
    });
}

void ChatListener::start_session(int fd) {
    std::size_t loop = next_loop_.fetch_add(1) % hub_.loop_count();
    // The context current now: a reload later leaves this connection's alone (its SSL holds a
    // reference to its SSL_CTX).
    auto tls = tls_ ? tls_->current() : nullptr;
    SessionPtr session;
    try {
        session = SessionPtr(
            new ChatSession(hub_.loop(loop), fd, ctx_, loop, tls ? tls->native_handle() : nullptr));
    } catch (const std::exception& e) {
        // Its socket, once made, closed `fd` as the session unwound.
        spdlog::warn("chat connection dropped: {}", e.what());
        return;
    }
    // Accepted on the first loop: a connection for that loop starts now, in this pass.
    if (loop == 0) return session->start();
    asio::post(hub_.loop(loop), [session] { session->start(); });
}

}  // namespace parley::messaging
