#include "control/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>

#include "control/http_session.hpp"

namespace parley::control {

namespace asio = boost::asio;

HttpListener::HttpListener(asio::io_context& accept_ctx, const asio::ip::tcp::endpoint& ep,
                           ExecutorSource next_executor, ApiRouter& router)
    : acceptor_(accept_ctx), next_executor_(std::move(next_executor)), router_(router) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void HttpListener::start() { do_accept(); }

void HttpListener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

void HttpListener::do_accept() {
    acceptor_.async_accept(
        asio::make_strand(next_executor_()),
        [self = shared_from_this()](boost::system::error_code ec, asio::ip::tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (ec) {
                spdlog::warn("control accept failed: {}", ec.message());
            } else {
                socket.set_option(asio::ip::tcp::no_delay(true), ec);
                std::make_shared<HttpSession>(std::move(socket), self->router_)->run();
            }
            self->do_accept();
        });
}

}  // namespace parley::control
