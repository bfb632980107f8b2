#include "messaging/review/lambda_invoke_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "auth/canonical_request.hpp"
#include "auth/sigv4_signer.hpp"
#include "messaging/review/lambda_tls_context.hpp"
#include "model/version.hpp"
#include "net/client_connection.hpp"

namespace parley::messaging {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kMaxIdlePerLoop = 32;
constexpr std::size_t kMaxResponseBytes = 256 * 1024;

}  // namespace

std::string invoke_target(const LambdaEndpoint& endpoint, std::string_view function_arn) {
    return endpoint.base_path + "/2015-03-31/functions/" + auth::uri_encode(function_arn, false) +
           "/invocations";
}

std::string lambda_arn_region(std::string_view function_arn) {
    // arn:aws:lambda:<region>:...
    std::size_t field = 0, start = 0;
    for (std::size_t i = 0; i <= function_arn.size(); ++i) {
        if (i == function_arn.size() || function_arn[i] == ':') {
            if (field == 3) {
                auto region = function_arn.substr(start, i - start);
                if (!region.empty() && function_arn.substr(0, 4) == "arn:")
                    return std::string(region);
                break;
            }
            ++field;
            start = i + 1;
        }
    }
    return "us-east-1";
}

// Idle keep-alive connections of one loop. Reuse matters twice over for https: a TLS handshake
// costs extra round trips and CPU, and together with DNS and TCP it can use up much of the
// 200 ms review budget when the endpoint is far away.
struct LambdaInvokeClient::IdlePool {
    std::vector<std::unique_ptr<net::ClientConnection>> idle;

    // A connection the server has not closed meanwhile, or null.
    std::unique_ptr<net::ClientConnection> take() {
        while (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            if (c->idle_and_open()) return c;
            c->close();
        }
        return nullptr;
    }

    void give_back(std::unique_ptr<net::ClientConnection> c) {
        if (idle.size() >= kMaxIdlePerLoop || !c->socket().is_open()) return;
        idle.push_back(std::move(c));
    }
};

// One invocation: connect (or reuse), TLS handshake for https, write, read, all under one
// deadline. Every step is asynchronous on the caller's loop.
struct LambdaInvokeClient::Call : std::enable_shared_from_this<LambdaInvokeClient::Call> {
    Call(const asio::any_io_executor& ex, std::shared_ptr<const LambdaEndpoint> e,
         std::shared_ptr<asio::ssl::context> t, std::shared_ptr<IdlePool> p,
         std::function<void(InvokeResult)> d)
        : resolver(ex),
          timer(ex),
          endpoint(std::move(e)),
          tls(std::move(t)),
          pool(std::move(p)),
          done(std::move(d)) {}

    tcp::resolver resolver;
    asio::steady_timer timer;
    std::shared_ptr<const LambdaEndpoint> endpoint;
    std::shared_ptr<asio::ssl::context> tls;  // null for http
    std::shared_ptr<IdlePool> pool;           // null: the loop index was unknown, do not pool
    std::function<void(InvokeResult)> done;
    std::unique_ptr<net::ClientConnection> conn;
    http::request<http::string_body> request;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    bool reused = false;
    bool retried = false;
    bool finished = false;

    void start(std::chrono::milliseconds budget) {
        timer.expires_after(budget);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->finished) return;
            self->finish({.outcome = InvokeResult::Outcome::Timeout,
                          .detail = "no answer within the time budget"});
        });
        if (pool) {
            if (auto c = pool->take()) {
                conn = std::move(c);
                reused = true;
                return send();
            }
        }
        connect();
    }

    void connect() {
        conn = std::make_unique<net::ClientConnection>(timer.get_executor(), tls);
        boost::system::error_code ec;
        auto address = asio::ip::make_address(endpoint->host, ec);
        if (!ec) {
            auto port = static_cast<unsigned short>(std::stoul(endpoint->port));
            conn->socket().async_connect(
                tcp::endpoint(address, port),
                [self = shared_from_this()](const boost::system::error_code& ec) {
                    self->on_connected(ec);
                });
            return;
        }
        // getaddrinfo runs on Asio's resolver thread, never on the event loop.
        resolver.async_resolve(
            endpoint->host, endpoint->port,
            [self = shared_from_this()](const boost::system::error_code& ec,
                                        const tcp::resolver::results_type& results) {
                if (self->finished) return;
                if (ec) return self->fail(ec, "cannot resolve " + self->endpoint->host);
                asio::async_connect(self->conn->socket(), results,
                                    [self](const boost::system::error_code& ec,
                                           const tcp::endpoint&) { self->on_connected(ec); });
            });
    }

    void on_connected(const boost::system::error_code& ec) {
        if (finished) return;
        if (ec) return fail(ec, "cannot connect to " + endpoint->host_header);
        boost::system::error_code ignored;
        conn->socket().set_option(tcp::no_delay(true), ignored);
        if (!conn->uses_tls()) return send();
        conn->async_handshake(endpoint->host,
                              [self = shared_from_this()](const boost::system::error_code& ec) {
                                  self->on_handshake(ec);
                              });
    }

    void on_handshake(const boost::system::error_code& ec) {
        if (finished) return;
        if (ec) {
            auto problem = conn->verify_problem();
            return fail(ec, "TLS handshake with " + endpoint->host_header + " failed" +
                                (problem.empty() ? "" : " (" + problem + ")"));
        }
        send();
    }

    void send() {
        buffer.clear();
        parser.emplace();
        parser->body_limit(kMaxResponseBytes);
        parser->header_limit(16 * 1024);
        conn->visit([this](auto& stream) {
            http::async_write(
                stream, request,
                [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                    if (self->finished) return;
                    if (ec) return self->fail(ec, "sending the request failed");
                    self->read();
                });
        });
    }

    void read() {
        conn->visit([this](auto& stream) {
            http::async_read(stream, buffer, *parser,
                             [self = shared_from_this()](const boost::system::error_code& ec,
                                                         std::size_t) { self->on_read(ec); });
        });
    }

    void on_read(const boost::system::error_code& ec) {
        if (finished) return;
        if (ec) return fail(ec, "reading the response failed");
        auto& res = parser->get();
        InvokeResult r;
        r.status = res.result_int();
        r.body = std::move(res.body());
        if (r.status < 200 || r.status >= 300) {
            r.outcome = InvokeResult::Outcome::HttpError;
            r.detail = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
        } else if (auto fe = res.find("X-Amz-Function-Error"); fe != res.end()) {
            r.outcome = InvokeResult::Outcome::FunctionError;
            r.detail =
                "function error (" + std::string(fe->value()) + "): " + r.body.substr(0, 200);
        } else {
            r.outcome = InvokeResult::Outcome::Ok;
        }
        if (pool && res.keep_alive() && buffer.size() == 0 && !conn->has_unread_input())
            pool->give_back(std::move(conn));
        finish(std::move(r));
    }

    void fail(const boost::system::error_code& ec, const std::string& what) {
        // A pooled connection the server closed just as we reused it: try once on a new one,
        // unless part of an answer already arrived (the request may have been executed).
        if (reused && !retried && !(parser && parser->got_some())) {
            retried = true;
            reused = false;
            conn->close();
            return connect();
        }
        finish({.outcome = InvokeResult::Outcome::ConnectionError,
                .detail = what + ": " + ec.message()});
    }

    void finish(InvokeResult r) {
        if (finished) return;
        finished = true;
        timer.cancel();
        resolver.cancel();
        if (conn) conn->close();  // not pooled: never reuse a half-read connection
        auto cb = std::move(done);
        if (cb) cb(std::move(r));
    }
};

LambdaInvokeClient::LambdaInvokeClient(LambdaEndpoint endpoint, auth::Credentials credentials,
                                       std::size_t loop_count,
                                       std::shared_ptr<asio::ssl::context> tls)
    : endpoint_(std::make_shared<const LambdaEndpoint>(std::move(endpoint))),
      credentials_(std::move(credentials)) {
    if (endpoint_->tls) tls_ = tls ? std::move(tls) : make_lambda_tls_context("");
    for (std::size_t i = 0; i < loop_count; ++i) pools_.push_back(std::make_shared<IdlePool>());
}

LambdaInvokeClient::~LambdaInvokeClient() = default;

void LambdaInvokeClient::invoke(const asio::any_io_executor& ex, std::size_t loop_index,
                                std::string_view function_arn, std::string payload,
                                std::chrono::milliseconds budget,
                                std::function<void(InvokeResult)> done) {
    auto pool = loop_index < pools_.size() ? pools_[loop_index] : nullptr;
    auto call = std::make_shared<Call>(ex, endpoint_, tls_, std::move(pool), std::move(done));
    const std::string target = invoke_target(*endpoint_, function_arn);
    auto& req = call->request;
    req.method(http::verb::post);
    req.target(target);
    req.version(11);
    req.set(http::field::host, endpoint_->host_header);
    req.set(http::field::user_agent, std::string("parleyd/") + model::kParleyVersion);
    req.set(http::field::content_type, "application/json");
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    for (auto& [name, value] :
         auth::sign_headers(credentials_, lambda_arn_region(function_arn), "lambda", "POST", target,
                            endpoint_->host_header, payload, now_s))
        req.set(name, value);
    req.body() = std::move(payload);
    req.keep_alive(true);
    req.prepare_payload();
    call->start(budget);
}

}  // namespace parley::messaging
