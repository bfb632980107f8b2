#pragma once
// One HTTP/1.1 keep-alive connection on the control door (after the Beast http server example):
// read a request, hand it to the ApiRouter, write the response, repeat.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>

#include "control/api_router.hpp"
#include "control/request_body.hpp"

namespace parley::control {

inline constexpr std::size_t kMaxRequestBodyBytes = 1024 * 1024;
// Request line and headers together. A signed SDK request needs under 2 KiB; the limit is what
// a connection that never finishes its headers can make the server hold.
inline constexpr std::size_t kMaxRequestHeaderBytes = 8 * 1024;

// Counts open control connections for --max-api-connections; shared with sessions that may
// outlive the listener.
using ConnectionCount = std::shared_ptr<std::atomic<std::size_t>>;

// Stream: boost::beast::tcp_stream (http://) or ssl_stream over it (https://). One template,
// instantiated for both in the .cpp, so the plain path has no indirection added by TLS.
template <class Stream>
class BasicHttpSession : public std::enable_shared_from_this<BasicHttpSession<Stream>> {
  public:
    // over_capacity: answer the first request with 503 and close (the SDKs retry 503s).
    template <class... StreamArgs>
    BasicHttpSession(ApiRouter& router, ConnectionCount count, bool over_capacity,
                     StreamArgs&&... stream_args)
        : stream_(std::forward<StreamArgs>(stream_args)...),
          router_(router),
          count_(std::move(count)),
          over_capacity_(over_capacity) {
        count_->fetch_add(1, std::memory_order_relaxed);
    }
    ~BasicHttpSession();
    void run();

  private:
    using std::enable_shared_from_this<BasicHttpSession<Stream>>::shared_from_this;
    void start_session();
    boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }
    void do_read();
    void read_header();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void send(ApiResponse&& api, bool keep_alive);
    void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    void linger_close();
    void discard_input();

    Stream stream_;
    // Bounded: the headers are parsed only once complete, so they are held here until then.
    boost::beast::flat_buffer buffer_{kMaxRequestHeaderBytes};
    std::optional<boost::beast::http::request_parser<GrowingStringBody>> parser_;
    boost::beast::http::response<boost::beast::http::string_body> response_;
    ApiRouter& router_;
    std::size_t discarded_bytes_ = 0;
    ConnectionCount count_;
    bool over_capacity_;
};

using HttpSession = BasicHttpSession<boost::beast::tcp_stream>;
using HttpsSession = BasicHttpSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

}  // namespace parley::control
