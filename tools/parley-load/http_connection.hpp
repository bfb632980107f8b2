#pragma once
// A minimal HTTP/1.1 keep-alive client connection on Asio: one request at a
// time, responses framed by Content-Length (what parleyd sends). Reconnects on
// the next request after the server closed or an error.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "loopback_endpoint.hpp"

namespace parley::load {

struct HttpResponse {
    unsigned status = 0;  // 0: no response (connect/read error)
    std::string body;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
  public:
    using Callback = std::function<void(const HttpResponse&)>;

    HttpConnection(boost::asio::io_context& io, Endpoint server,
                   boost::asio::ip::address_v4 source);

    // Sends one complete request (its wire bytes, kept alive by the caller's
    // pointer) and calls back once with the response.
    void request(std::shared_ptr<const std::string> wire, Callback cb);
    void close();

  private:
    void write();
    void read_head();
    void on_head(const boost::system::error_code& ec);
    void finish_body();
    void fail();

    boost::asio::ip::tcp::socket socket_;
    Endpoint server_;
    boost::asio::ip::address_v4 source_;
    bool connected_ = false;
    std::shared_ptr<const std::string> wire_;
    Callback cb_;
    std::string buffer_;  // received bytes not yet consumed
    unsigned status_ = 0;
    std::size_t body_length_ = 0;
    bool close_after_ = false;
};

}  // namespace parley::load
