#include "net/blocking_http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>

#include "net/http_endpoint.hpp"
#include "net/tls_client_context.hpp"

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kMaxResponseBody = 1024 * 1024;

std::string pool_key(const HttpTarget& t) {
    return (t.tls ? "https:" : "http:") + t.host + ":" + t.port;
}
}  // namespace

BlockingHttpClient::BlockingHttpClient(std::shared_ptr<asio::ssl::context> tls)
    : tls_(std::move(tls)) {}

BlockingHttpClient::~BlockingHttpClient() {
    for (auto& [key, c] : idle_) c->close();
}

HttpResponse BlockingHttpClient::send(const HttpTarget& target,
                                      http::request<http::string_body> request,
                                      std::chrono::milliseconds timeout) {
    if (target.tls && !tls_) tls_ = make_tls_client_context("", "");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    request.keep_alive(true);
    request.prepare_payload();
    bool reused = false;
    auto r = attempt(target, request, deadline, reused);
    // A pooled connection the server closed just as we sent: once more on a fresh one.
    if (r.status == 0 && reused && std::chrono::steady_clock::now() < deadline)
        r = attempt(target, request, deadline, reused);
    return r;
}

HttpResponse BlockingHttpClient::attempt(const HttpTarget& target,
                                         http::request<http::string_body>& request,
                                         std::chrono::steady_clock::time_point deadline,
                                         bool& reused) {
    const std::string key = pool_key(target);
    std::unique_ptr<ClientConnection> conn;
    if (auto it = idle_.find(key); it != idle_.end()) {
        conn = std::move(it->second);
        idle_.erase(it);
        if (!conn->idle_and_open()) {
            conn->close();
            conn.reset();
        }
    }
    reused = conn != nullptr;
    if (!conn)
        conn = std::make_unique<ClientConnection>(ioc_.get_executor(), target.tls ? tls_ : nullptr);

    HttpResponse out;
    bool finished = false;
    bool keep = false;
    tcp::resolver resolver(ioc_);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    auto fail = [&](const std::string& what, const boost::system::error_code& ec) {
        if (finished) return;
        finished = true;
        out.error = what + ": " + ec.message();
        if (auto problem = conn->verify_problem(); !problem.empty())
            out.error += " (" + problem + ")";
    };
    std::function<void()> exchange = [&] {
        conn->visit([&](auto& stream) {
            http::async_write(stream, request, [&](boost::system::error_code ec, std::size_t) {
                if (ec) return fail("send", ec);
                http::async_read(stream, buffer, parser,
                                 [&](boost::system::error_code ec2, std::size_t) {
                                     if (ec2) return fail("receive", ec2);
                                     finished = true;
                                     out.status = parser.get().result_int();
                                     out.body = std::move(parser.get().body());
                                     keep = parser.get().keep_alive() && !conn->has_unread_input();
                                 });
            });
        });
    };
    if (reused) {
        exchange();
    } else {
        resolver.async_resolve(
            resolvable_name(target.host), target.port,
            [&](boost::system::error_code ec, tcp::resolver::results_type results) {
                if (ec) return fail("resolve " + target.host, ec);
                asio::async_connect(
                    conn->socket(), results, [&](boost::system::error_code ec2, tcp::endpoint) {
                        if (ec2) return fail("connect " + target.host + ":" + target.port, ec2);
                        boost::system::error_code ignored;
                        conn->socket().set_option(tcp::no_delay(true), ignored);
                        if (!conn->uses_tls()) return exchange();
                        conn->async_handshake(target.host,
                                              [&](const boost::system::error_code& ec3) {
                                                  if (ec3) return fail("TLS handshake", ec3);
                                                  exchange();
                                              });
                    });
            });
    }
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!finished) {
        finished = true;
        out.error = "no response before the deadline";
        keep = false;
    }
    // Cancel what is still pending and let the aborted handlers run (they see `finished`).
    resolver.cancel();
    if (!keep) conn->close();
    ioc_.restart();
    ioc_.run();
    if (keep) idle_[key] = std::move(conn);
    return out;
}

}  // namespace parley::net
