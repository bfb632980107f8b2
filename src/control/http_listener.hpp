#pragma once
// Accepts control-door connections and starts an HttpSession for each, spreading them over
// the server's event loops.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "control/api_router.hpp"
#include "control/http_session.hpp"
#include "messaging/server_tls_context.hpp"

namespace parley::control {

class HttpListener : public std::enable_shared_from_this<HttpListener> {
  public:
    using ExecutorSource = std::function<boost::asio::any_io_executor()>;
    // `acceptor` is already bound and listening (on accept_ctx), so that a busy port is
    // reported at start-up before anything else happens.
    HttpListener(boost::asio::io_context& accept_ctx, boost::asio::ip::tcp::acceptor acceptor,
                 ExecutorSource next_executor, ApiRouter& router,
                 std::size_t max_connections = 10000, messaging::ServerTlsContextPtr tls = nullptr);
    void start();
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    std::size_t open_connections() const { return open_->load(std::memory_order_relaxed); }

  private:
    void do_accept();
    void retry_accept_later(const boost::system::error_code& ec);

    boost::asio::ip::tcp::acceptor acceptor_;
    ExecutorSource next_executor_;
    ApiRouter& router_;
    boost::asio::steady_timer retry_timer_;
    bool accept_failing_ = false;  // warn once per run of failures, not once per retry
    std::size_t max_connections_;
    messaging::ServerTlsContextPtr tls_;  // https:// when set
    ConnectionCount open_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace parley::control
