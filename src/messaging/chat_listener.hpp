#pragma once
// Accepts connections on the chat door and starts a ChatSession for each, on the event loops
// in turn (a connection then stays on its loop for life). The listening socket is served by its
// loop's ReadinessPoller like the connections: one epoll wake-up reports new connections and
// upgrade requests together, and waiting for the next accept costs no epoll_ctl (an Asio
// async_wait re-arms its registration with one each time).
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "messaging/edge_context.hpp"
#include "messaging/listener_no_delay.hpp"
#include "messaging/polled_socket.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/server_tls_context.hpp"

namespace parley::messaging {

class ChatListener : public std::enable_shared_from_this<ChatListener> {
  public:
    // `acceptor` is already bound and listening; its socket is served on `accept_ctx`, an
    // event loop of the hub (whose connections then start without a post) or a context of its
    // own. start() before that context runs, or on its thread; stop() on its thread, or once it
    // no longer runs.
    ChatListener(boost::asio::io_context& accept_ctx, boost::asio::ip::tcp::acceptor acceptor,
                 EdgeContext& ctx, RoomHub& hub, ServerTlsContextPtr tls = nullptr);
    void start();
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return local_endpoint_; }

  private:
    void do_accept();
    static void on_acceptable(void* self, const boost::system::error_code& ec);
    // Accepts one waiting connection, then waits again (or backs off after an error).
    void accept_round();
    void accept_failed(const boost::system::error_code& ec);
    void start_session(int fd);

    boost::asio::ip::tcp::endpoint local_endpoint_;
    PolledSocket listen_;
    EdgeContext& ctx_;
    RoomHub& hub_;
    ServerTlsContextPtr tls_;  // wss:// when set
    std::atomic<std::size_t> next_loop_{0};
    boost::asio::steady_timer retry_timer_;
    bool accept_failing_ = false;  // warn once per run of failures, not once per retry
    ListenerNoDelay no_delay_;     // on the listening socket, copied to accepted ones
};

}  // namespace parley::messaging
