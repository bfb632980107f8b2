#pragma once
// One HTTP/1.1 keep-alive connection on the control door (after the Beast http server example):
// read a request, hand it to the ApiRouter, write the response, repeat.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "control/api_router.hpp"

namespace parley::control {

inline constexpr std::size_t kMaxRequestBodyBytes = 1024 * 1024;

// Counts open control connections for --max-api-connections; shared with sessions that may
// outlive the listener.
using ConnectionCount = std::shared_ptr<std::atomic<std::size_t>>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    // over_capacity: answer the first request with 503 and close (the SDKs retry 503s).
    HttpSession(boost::asio::ip::tcp::socket&& socket, ApiRouter& router, ConnectionCount count,
                bool over_capacity);
    ~HttpSession();
    void run();

  private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void send(ApiResponse&& api, bool keep_alive);
    void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    void linger_close();
    void discard_input();

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    boost::beast::http::response<boost::beast::http::string_body> response_;
    ApiRouter& router_;
    // Only a closing connection needs it: idle keep-alive connections must stay small.
    std::unique_ptr<std::array<char, 16 * 1024>> discard_buffer_;
    std::size_t discarded_bytes_ = 0;
    ConnectionCount count_;
    bool over_capacity_;
};

}  // namespace parley::control
