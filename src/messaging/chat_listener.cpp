#include "messaging/chat_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "messaging/chat_session.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

ChatListener::ChatListener(asio::io_context& accept_ctx, asio::ip::tcp::acceptor acceptor,
                           EdgeContext& ctx, RoomHub& hub, ServerTlsContextPtr tls)
    : acceptor_(std::move(acceptor)),
      ctx_(ctx),
      hub_(hub),
      tls_(std::move(tls)),
      retry_timer_(accept_ctx) {}

void ChatListener::start() {
    do_accept();
}

void ChatListener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
}

void ChatListener::do_accept() {
    std::size_t loop = next_loop_.fetch_add(1) % hub_.loop_count();
    acceptor_.async_accept(hub_.loop(loop), [self = shared_from_this(), loop](
                                                boost::system::error_code ec, ChatSocket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) {
            // Out of descriptors and the like: back off instead of spinning.
            if (!self->accept_failing_)
                spdlog::warn("chat accept failed: {} (retrying every 100 ms)", ec.message());
            self->accept_failing_ = true;
            self->retry_timer_.expires_after(std::chrono::milliseconds(100));
            self->retry_timer_.async_wait([self](const boost::system::error_code& e) {
                if (!e) self->do_accept();
            });
            return;
        }
        self->accept_failing_ = false;
        self->do_accept();  // first: should what follows throw, the door stays open
        // The context current now: a reload later leaves this connection's alone (its SSL
        // holds a reference to its SSL_CTX).
        auto tls = self->tls_ ? self->tls_->current() : nullptr;
        auto session = std::make_shared<ChatSession>(std::move(socket), self->ctx_, loop,
                                                     tls ? tls->native_handle() : nullptr);
        asio::post(self->hub_.loop(loop), [session] { session->start(); });
    });
}

}  // namespace parley::messaging
