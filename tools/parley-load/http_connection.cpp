#include "http_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <charconv>

#include "bound_socket.hpp"

namespace parley::load {

namespace asio = boost::asio;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

HttpConnection::HttpConnection(asio::io_context& io, Endpoint server, asio::ip::address_v4 source)
    : socket_(io), server_(std::move(server)), source_(source) {}

void HttpConnection::request(std::shared_ptr<const std::string> wire, Callback cb) {
    wire_ = std::move(wire);
    cb_ = std::move(cb);
    if (connected_) return write();
    buffer_.clear();
    if (open_bound(socket_, source_)) return fail();
    socket_.async_connect(asio::ip::tcp::endpoint(server_.address, server_.port),
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (ec) return self->fail();
                              self->connected_ = true;
                              self->write();
                          });
}

void HttpConnection::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    connected_ = false;
}

void HttpConnection::write() {
    asio::async_write(
        socket_, asio::buffer(*wire_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) return self->fail();
            self->read_head();
        });
}

void HttpConnection::read_head() {
    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_), "\r\n\r\n",
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t) { self->on_head(ec); });
}

void HttpConnection::on_head(const boost::system::error_code& ec) {
    if (ec) return fail();
    auto end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return fail();
    std::string_view head(buffer_.data(), end + 2);
    // "HTTP/1.1 200 OK"
    status_ = 0;
    if (head.size() > 12 && head.substr(0, 5) == "HTTP/")
        std::from_chars(head.data() + 9, head.data() + 12, status_);
    body_length_ = 0;
    close_after_ = false;
    std::size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
        auto eol = head.find("\r\n", pos);
        auto line = head.substr(pos, eol - pos);
        pos = eol + 2;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto name = line.substr(0, colon);
        auto value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length"))
            std::from_chars(value.data(), value.data() + value.size(), body_length_);
        else if (iequals(name, "connection") && iequals(value, "close"))
            close_after_ = true;
    }
    buffer_.erase(0, end + 4);
    if (status_ == 0) return fail();
    if (buffer_.size() >= body_length_) return finish_body();
    asio::async_read(socket_, asio::dynamic_buffer(buffer_),
                     asio::transfer_exactly(body_length_ - buffer_.size()),
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                         if (ec) return self->fail();
                         self->finish_body();
                     });
}

void HttpConnection::finish_body() {
    HttpResponse r{status_, buffer_.substr(0, body_length_)};
    buffer_.erase(0, body_length_);
    if (close_after_) close();
    auto cb = std::move(cb_);
    cb_ = nullptr;
    cb(r);
}

void HttpConnection::fail() {
    close();
    auto cb = std::move(cb_);
    cb_ = nullptr;
    if (cb) cb(HttpResponse{});
}

}  // namespace parley::load
