#pragma once
// Accepts connections on the chat door and starts a ChatSession for each, on the event loops
// in turn (a connection then stays on its loop for life). The door is polled by the first
// event loop itself, as uSockets does: a connection for that loop starts where it was
// accepted, with no hand-over to another thread (with --threads 1, every connection).
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "messaging/edge_context.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/server_tls_context.hpp"

namespace parley::messaging {

class ChatListener : public std::enable_shared_from_this<ChatListener> {
  public:
    // `acceptor` is already bound and listening, on the hub's first loop.
    ChatListener(boost::asio::ip::tcp::acceptor acceptor, EdgeContext& ctx, RoomHub& hub,
                 ServerTlsContextPtr tls = nullptr);
    void start();
    // On the listener's loop (see executor()), or once that loop has stopped.
    void stop();
    boost::asio::any_io_executor executor() { return acceptor_.get_executor(); }
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  private:
    void do_accept();
    // Accepts what is waiting now, then waits again (or goes on after a post when the bound
    // was reached, or backs off after an error).
    void accept_round();
    void accept_failed(const boost::system::error_code& ec);
    void start_session(int fd);

    static constexpr int kAcceptsPerWake = 64;

    boost::asio::ip::tcp::acceptor acceptor_;
    EdgeContext& ctx_;
    RoomHub& hub_;
    ServerTlsContextPtr tls_;  // wss:// when set
    std::atomic<std::size_t> next_loop_{0};
    boost::asio::steady_timer retry_timer_;
    bool accept_failing_ = false;  // warn once per run of failures, not once per retry
};

}  // namespace parley::messaging
