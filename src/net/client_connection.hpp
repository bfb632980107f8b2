#pragma once
// One HTTP/1.1 connection to an HTTP service (the Lambda endpoint, chat log destinations), owned by
// one event loop: plain TCP for http://, TLS over TCP for https:// (SNI, certificate chain and host
// name verified).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <memory>
#include <string>
#include <variant>

namespace parley::net {

class ClientConnection {
  public:
    using PlainStream = boost::beast::tcp_stream;
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    // tls null: plain TCP. The context is shared by every connection of the client.
    ClientConnection(const boost::asio::any_io_executor& ex,
                     std::shared_ptr<boost::asio::ssl::context> tls);

    bool uses_tls() const { return stream_.index() == 1; }
    boost::asio::ip::tcp::socket& socket();  // the TCP layer: connect, options, close

    // TLS only, once connected: sends `host` as SNI (unless it is an IP literal) and makes the
    // certificate's subjectAltName match it (DNS name or IP address) on top of the chain check.
    void async_handshake(const std::string& host,
                         std::function<void(const boost::system::error_code&)> done);

    // Why the peer's certificate was refused (e.g. "hostname mismatch"), or "" when it was not.
    std::string verify_problem();

    // Runs f(stream) on the concrete stream, so Beast's HTTP algorithms can be used on either.
    template <class F>
    decltype(auto) visit(F&& f) {
        return std::visit(std::forward<F>(f), stream_);
    }

    // Decrypted bytes OpenSSL holds beyond what was read: then the connection is not reusable.
    bool has_unread_input();

    // For a pooled idle connection: false when the peer closed it, sent something (stray bytes,
    // a TLS close_notify) or the socket failed. Non-blocking; consumes nothing.
    bool idle_and_open();

    void close();

  private:
    std::variant<PlainStream, TlsStream> stream_;
    std::shared_ptr<boost::asio::ssl::context> tls_;  // keeps SSL_CTX settings alive
};

}  // namespace parley::net
