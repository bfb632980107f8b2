#include "control/http_session.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include <boost/asio/dispatch.hpp>
#include <type_traits>

#include "model/api_error.hpp"
#include "model/clock_format.hpp"

namespace parley::control {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {
// Between requests, and for a request's body. The headers have a shorter deadline from their
// first byte: a client that starts a request and stalls holds the connection's buffers.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kHeaderTimeout = std::chrono::seconds(10);
// An idle connection holds no read buffer; the next request's first read allocates this much
// (Beast grows the buffer by doubling from there, up to kMaxRequestHeaderBytes).
constexpr std::size_t kFirstReadBytes = 512;
// How long and how much unread input a closing connection keeps draining (see linger_close).
constexpr auto kLingerTimeout = std::chrono::seconds(5);
constexpr std::size_t kMaxLingerBytes = 16 * 1024 * 1024;

// What a closing connection reads is thrown away, so every connection of a loop can read into
// the same buffer: closing connections hold none of their own.
thread_local std::array<char, 16 * 1024> t_discard_buffer;
}  // namespace

template <class Stream>
BasicHttpSession<Stream>::~BasicHttpSession() {
    count_->fetch_sub(1, std::memory_order_relaxed);
}

namespace {
template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;
}  // namespace

template <class Stream>
void BasicHttpSession<Stream>::run() {
    if constexpr (kIsTls<Stream>) {
        // The TLS handshake first, under the header deadline; then the session as over http://.
        asio::dispatch(tcp().get_executor(), [self = shared_from_this()] {
            self->tcp().expires_after(kHeaderTimeout);
            self->stream_.async_handshake(
                asio::ssl::stream_base::server, [self](beast::error_code ec) {
                    if (ec) {
                        spdlog::debug("API TLS handshake failed: {}", ec.message());
                        return self->do_close();
                    }
                    self->start_session();
                });
        });
    } else {
        start_session();
    }
}

template <class Stream>
void BasicHttpSession<Stream>::start_session() {
    if (over_capacity_) {
        asio::dispatch(tcp().get_executor(), [self = shared_from_this()] {
            self->send(ApiRouter::error_response(
                           model::ApiError("ServiceUnavailableException", 503,
                                           "Too many connections to the API; try again later")),
                       false);
        });
        return;
    }
    asio::dispatch(tcp().get_executor(),
                   beast::bind_front_handler(&BasicHttpSession::do_read, shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::do_read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    parser_->header_limit(kMaxRequestHeaderBytes);
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    buffer_.shrink_to_fit();                       // frees it: idle connections stay small
    tcp().expires_after(kIdleTimeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->buffer_.commit(n);
                                if (ec) return self->on_read(ec, 0);
                                self->read_header();
                            });
}

template <class Stream>
void BasicHttpSession<Stream>::read_header() {
    tcp().expires_after(kHeaderTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&BasicHttpSession::on_header, shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    tcp().expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&BasicHttpSession::on_read, shared_from_this()));
}

template <class Stream>
void BasicHttpSession<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
        return do_close();
    if (ec == http::error::body_limit) {
        return send(ApiRouter::error_response(model::ApiError(
                        "ValidationException", 413, "Request body is larger than the 1 MiB limit")),
                    false);
    }
    if (ec) {
        // Malformed HTTP: answer once, then drop the connection (the stream is out of sync).
        return send(ApiRouter::error_response(model::ApiError(
                        "BadRequestException", 400, "Malformed HTTP request: " + ec.message())),
                    false);
    }

    auto& req = parser_->get();
    if (req.find(http::field::transfer_encoding) != req.end() && !parser_->chunked()) {
        // RFC 9112 6.3: without a final "chunked" the body length is unknowable. Beast reads such
        // a request as body-less, so its body would be parsed as the next request (smuggling).
        return send(ApiRouter::error_response(model::ApiError(
                        "BadRequestException", 400,
                        "Malformed HTTP request: Transfer-Encoding must end with chunked")),
                    false);
    }
    auth::HttpRequestView view;
    view.method = req.method_string();
    view.target = req.target();
    view.body = req.body();
    view.headers.reserve(16);
    for (const auto& field : req) view.headers.emplace_back(field.name_string(), field.value());
    // Most operations answer before handle() returns; one waiting for the cluster's Redis
    // answers later from the bus's loop, and its response is written from this connection's.
    router_.handle(
        view,
        [this] {
            boost::system::error_code ec;
            auto ep = tcp().socket().remote_endpoint(ec);
            if (ec) return std::string("-");
            auto host = ep.address().to_string();
            if (ep.address().is_v6()) host = "[" + host + "]";
            return host + ":" + std::to_string(ep.port());
        },
        [self = this->shared_from_this(), keep_alive = req.keep_alive()](ApiResponse r) {
            asio::dispatch(self->tcp().get_executor(),
                           [self, keep_alive, r = std::move(r)]() mutable {
                               self->send(std::move(r), keep_alive);
                           });
        });
}

template <class Stream>
void BasicHttpSession<Stream>::send(ApiResponse&& api, bool keep_alive) {
    response_ = {};
    response_.version(11);
    response_.result(api.status);
    response_.set(http::field::server, "parley");
    response_.set(http::field::date, model::format_http_date(model::now_millis() / 1000));
    if (!api.request_id.empty()) response_.set("x-amzn-RequestId", api.request_id);
    if (!api.error_type.empty()) response_.set("x-amzn-ErrorType", api.error_type);
    if (api.status != 204) response_.set(http::field::content_type, api.content_type);
    for (auto& [name, value] : api.headers) response_.set(name, value);
    response_.body() = std::move(api.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    bool close = !keep_alive;
    // A fresh deadline for the write: the read's may be nearly spent.
    tcp().expires_after(kIdleTimeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&BasicHttpSession::on_write, shared_from_this(), close));
}

template <class Stream>
void BasicHttpSession<Stream>::on_write(bool close, beast::error_code ec, std::size_t) {
    if (ec) return do_close();
    if (close) return linger_close();
    do_read();
}

template <class Stream>
void BasicHttpSession<Stream>::do_close() {
    beast::error_code ec;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

// Closing a socket that still has unread input (the rest of an oversized body) makes the kernel
// send RST, which can destroy our 413/400 answer before the client reads it. So after the final
// response, stop sending and discard input until the peer closes, for a bounded time and size.
template <class Stream>
void BasicHttpSession<Stream>::linger_close() {
    do_close();
    tcp().expires_after(kLingerTimeout);
    // The answer is written: nothing of the request or response is needed any more.
    parser_.reset();
    buffer_.clear();
    buffer_.shrink_to_fit();
    response_ = {};
    discard_input();
}

template <class Stream>
void BasicHttpSession<Stream>::discard_input() {
    stream_.async_read_some(asio::buffer(t_discard_buffer),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->discarded_bytes_ += n;
                                if (ec || self->discarded_bytes_ > kMaxLingerBytes)
                                    return;  // the socket closes here
                                self->discard_input();
                            });
}

template class BasicHttpSession<beast::tcp_stream>;
template class BasicHttpSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace parley::control
