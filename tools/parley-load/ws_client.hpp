#pragma once
// A minimal RFC 6455 client connection for load generation: upgrade with the
// chat token as subprotocol (accept key checked), masked text frames out,
// server frames in (fragmented text reassembled, pings answered, close
// handshake honoured). Runs on one io_context thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loopback_endpoint.hpp"

namespace parley::load {

class WsClient;

// Told about everything that happens on a connection, on the connection's loop.
class WsListener {
  public:
    virtual void on_open(WsClient& c) = 0;
    virtual void on_text(WsClient& c, std::string_view payload) = 0;
    // Called once per connection that started; was_open says whether the upgrade
    // succeeded.
    virtual void on_closed(WsClient& c, bool was_open, std::string_view why) = 0;

  protected:
    ~WsListener() = default;
};

class WsClient : public std::enable_shared_from_this<WsClient> {
  public:
    WsClient(boost::asio::io_context& io, const Endpoint& server,
             boost::asio::ip::address_v4 source, std::string token, WsListener& listener);

    void start();  // connect, then upgrade
    void send_text(std::string_view payload);
    void close(std::uint16_t code = 1000);  // close frame; the socket closes on the server's reply
    void abort();
    bool is_open() const { return state_ == State::Open; }

    std::size_t tag = 0;     // the owner's index for this connection
    std::string path = "/";  // request target of the upgrade (a peer's room), set before start()

  private:
    enum class State { Connecting, Handshake, Open, Closing, Closed };

    void send_frame(std::uint8_t opcode, std::string_view payload);
    void write_next();
    void read_more();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    bool handle_handshake();  // false when the upgrade was refused or is malformed
    void parse_frames();
    void handle_frame(std::uint8_t opcode, bool fin, std::string_view payload);
    void finish(std::string_view why);

    void send_upgrade();

    boost::asio::ip::tcp::socket socket_;
    // wss:// only: TLS over socket_ (the client's memory is not what is measured).
    std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
    Endpoint server_;
    boost::asio::ip::address_v4 source_;
    std::string token_;
    std::string key_;
    WsListener& listener_;
    State state_ = State::Connecting;
    bool was_open_ = false;

    std::vector<char> buf_;
    std::size_t begin_ = 0, end_ = 0;  // unparsed bytes are buf_[begin_, end_)
    std::string fragments_;            // a fragmented text message being reassembled
    bool in_fragmented_text_ = false;

    std::deque<std::string> out_;
    bool writing_ = false;
};

}  // namespace parley::load
