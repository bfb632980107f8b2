#include "control/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "control/http_session.hpp"

namespace parley::control {

namespace asio = boost::asio;

HttpListener::HttpListener(asio::io_context& accept_ctx, asio::ip::tcp::acceptor acceptor,
                           ExecutorSource next_executor, ApiRouter& router,
                           std::size_t max_connections, messaging::ServerTlsContextPtr tls)
    : acceptor_(std::move(acceptor)),
      next_executor_(std::move(next_executor)),
      router_(router),
      retry_timer_(accept_ctx),
      max_connections_(max_connections),
      tls_(std::move(tls)) {}

void HttpListener::start() {
    do_accept();
}

void HttpListener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
}

void HttpListener::do_accept() {
    acceptor_.async_accept(asio::make_strand(next_executor_()), [self = shared_from_this()](
                                                                    boost::system::error_code ec,
                                                                    asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) return self->retry_accept_later(ec);
        self->accept_failing_ = false;
        self->do_accept();  // first: should what follows throw, the door stays open
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        bool over = self->open_->load(std::memory_order_relaxed) >= self->max_connections_;
        if (self->tls_) {
            // The context current now; a later reload leaves this connection's alone.
            auto tls = self->tls_->current();
            std::make_shared<HttpsSession>(self->router_, self->open_, over, std::move(socket),
                                           *tls)
                ->run();
            return;
        }
        std::make_shared<HttpSession>(self->router_, self->open_, over, std::move(socket))->run();
    });
}

// Out of descriptors (EMFILE) and the like: the pending connection stays queued, so accepting
// again at once fails again at once; back off instead of spinning and flooding the log.
void HttpListener::retry_accept_later(const boost::system::error_code& ec) {
    if (!accept_failing_)
        spdlog::warn("control accept failed: {} (retrying every 100 ms)", ec.message());
    accept_failing_ = true;
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
        if (!e) self->do_accept();
    });
}

}  // namespace parley::control
