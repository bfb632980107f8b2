#pragma once
// An HTTP/1.1 client for a thread of its own (the chat log uploaders): send() returns when the
// response has arrived or the deadline passed. It runs the same connections as the Lambda review
// client (ClientConnection: verified TLS, SNI) on a private io_context, and keeps one idle
// keep-alive connection per host:port, so a steady upload stream pays no handshake per request.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "net/client_connection.hpp"

namespace parley::net {

struct HttpTarget {
    bool tls = false;
    std::string host;  // connect to (and, for TLS, verify) this name
    std::string port;
};

struct HttpResponse {
    unsigned status = 0;  // 0: no response (error says why)
    std::string body;
    std::string error;
    bool ok() const { return status >= 200 && status < 300; }
};

class BlockingHttpClient {
  public:
    // tls: the context for https targets (null: system trust store only).
    explicit BlockingHttpClient(std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
    ~BlockingHttpClient();
    BlockingHttpClient(const BlockingHttpClient&) = delete;
    BlockingHttpClient& operator=(const BlockingHttpClient&) = delete;

    HttpResponse send(const HttpTarget& target,
                      boost::beast::http::request<boost::beast::http::string_body> request,
                      std::chrono::milliseconds timeout);

  private:
    HttpResponse attempt(const HttpTarget& target,
                         boost::beast::http::request<boost::beast::http::string_body>& request,
                         std::chrono::steady_clock::time_point deadline, bool& reused);

    boost::asio::io_context ioc_{1};
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::map<std::string, std::unique_ptr<ClientConnection>> idle_;  // by tls:host:port
};

}  // namespace parley::net
