#include "ws_client.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <random>

#include "bound_socket.hpp"

namespace parley::load {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kInitialBuffer = 4096;
constexpr std::size_t kMaxMessage = 16 * 1024 * 1024;

std::string base64(const unsigned char* p, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

std::string accept_for(const std::string& key) {
    std::string s = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr);
    return base64(md, len);
}

// Masking keys only have to be unpredictable to a browser page's script, which
// a load tool does not have; a per-thread xorshift is enough and costs nothing.
std::uint32_t next_mask() {
    thread_local std::uint64_t state = std::random_device{}() | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::uint32_t>(state >> 16);
}

bool icontains_header(std::string_view head, std::string_view name, std::string_view value) {
    std::string lower(head);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string needle = "\r\n" + std::string(name) + ":";
    auto pos = lower.find(needle);
    if (pos == std::string::npos) return false;
    auto start = pos + needle.size();
    auto eol = head.find("\r\n", start);
    auto v = head.substr(start, eol - start);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v == value;
}

}  // namespace

WsClient::WsClient(asio::io_context& io, const Endpoint& server, asio::ip::address_v4 source,
                   std::string token, WsListener& listener)
    : socket_(io),
      server_(server),
      source_(source),
      token_(std::move(token)),
      listener_(listener) {}

void WsClient::start() {
    if (open_bound(socket_, source_)) return finish("cannot bind a client socket (open files?)");
    socket_.async_connect(
        asio::ip::tcp::endpoint(server_.address, server_.port),
        [self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec) return self->finish("connect: " + ec.message());
            self->state_ = State::Handshake;
            if (!self->server_.tls) return self->send_upgrade();
            self->tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(
                self->socket_, *self->server_.tls);
            self->tls_->async_handshake(asio::ssl::stream_base::client,
                                        [self](const boost::system::error_code& hec) {
                                            if (hec) return self->finish("TLS: " + hec.message());
                                            self->send_upgrade();
                                        });
        });
}

void WsClient::send_upgrade() {
    unsigned char raw[16];
    RAND_bytes(raw, sizeof raw);
    key_ = base64(raw, sizeof raw);
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + server_.host_header +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
                      key_ + "\r\nSec-WebSocket-Protocol: " + token_ + "\r\n\r\n";
    token_.clear();
    token_.shrink_to_fit();
    out_.push_back(std::move(req));
    write_next();
    buf_.resize(kInitialBuffer);
    read_more();
}

void WsClient::send_text(std::string_view payload) {
    if (state_ != State::Open) return;
    send_frame(0x1, payload);
}

void WsClient::close(std::uint16_t code) {
    if (state_ != State::Open) {
        if (state_ != State::Closing) abort();
        return;
    }
    char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    send_frame(0x8, std::string_view(payload, 2));
    state_ = State::Closing;
}

void WsClient::abort() {
    finish("aborted by the client");
}

void WsClient::send_frame(std::uint8_t opcode, std::string_view payload) {
    std::string f;
    f.reserve(payload.size() + 14);
    f.push_back(static_cast<char>(0x80 | opcode));
    const std::size_t n = payload.size();
    if (n <= 125) {
        f.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xFFFF) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xFF));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            f.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
    std::uint32_t mask = next_mask();
    char m[4];
    std::memcpy(m, &mask, 4);
    f.append(m, 4);
    std::size_t at = f.size();
    f.append(payload);
    for (std::size_t i = 0; i < n; ++i) f[at + i] = static_cast<char>(f[at + i] ^ m[i & 3]);
    out_.push_back(std::move(f));
    write_next();
}

void WsClient::write_next() {
    if (writing_ || out_.empty() || state_ == State::Closed) return;
    writing_ = true;
    auto done = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (self->state_ == State::Closed) return;
        if (ec) return self->finish("write: " + ec.message());
        self->out_.pop_front();
        self->write_next();
    };
    if (tls_)
        asio::async_write(*tls_, asio::buffer(out_.front()), std::move(done));
    else
        asio::async_write(socket_, asio::buffer(out_.front()), std::move(done));
}

void WsClient::read_more() {
    if (begin_ > 0) {  // keep the unparsed tail at the front
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    auto done = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
    };
    auto space = asio::buffer(buf_.data() + end_, buf_.size() - end_);
    if (tls_)
        tls_->async_read_some(space, std::move(done));
    else
        socket_.async_read_some(space, std::move(done));
}

void WsClient::on_read(const boost::system::error_code& ec, std::size_t n) {
    if (state_ == State::Closed) return;
    if (ec)
        return finish(ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                          ? "server closed the TCP connection"
                          : "read: " + ec.message());
    end_ += n;
    if (state_ == State::Handshake) {
        if (!handle_handshake()) return;
        if (state_ == State::Handshake) return read_more();  // head not complete yet
    }
    parse_frames();
    if (state_ == State::Closed) return;
    if (end_ - begin_ > kMaxMessage) return finish("server frame too large");
    read_more();
}

bool WsClient::handle_handshake() {
    std::string_view data(buf_.data() + begin_, end_ - begin_);
    auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() > 16384) {
            finish("handshake response too large");
            return false;
        }
        return true;
    }
    auto head = data.substr(0, end + 2);
    if (head.substr(0, 12) != "HTTP/1.1 101") {
        auto eol = head.find("\r\n");
        auto body = data.substr(end + 4);
        finish("upgrade refused: " + std::string(head.substr(0, eol)) + " " +
               std::string(body.substr(0, body.find('\n'))));
        return false;
    }
    if (!icontains_header(head, "sec-websocket-accept", accept_for(key_))) {
        finish("bad Sec-WebSocket-Accept");
        return false;
    }
    begin_ += end + 4;
    state_ = State::Open;
    was_open_ = true;
    listener_.on_open(*this);
    return state_ != State::Closed;
}

void WsClient::parse_frames() {
    while (state_ == State::Open || state_ == State::Closing) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(buf_.data() + begin_);
        std::size_t avail = end_ - begin_;
        if (avail < 2) return;
        bool fin = (p[0] & 0x80) != 0;
        std::uint8_t opcode = p[0] & 0x0F;
        if (p[1] & 0x80) return finish("server sent a masked frame");
        std::uint64_t len = p[1] & 0x7F;
        std::size_t header = 2;
        if (len == 126) {
            if (avail < 4) return;
            len = (std::uint64_t{p[2]} << 8) | p[3];
            header = 4;
        } else if (len == 127) {
            if (avail < 10) return;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
            header = 10;
        }
        if (len > kMaxMessage) return finish("server frame too large");
        if (avail < header + len) {
            if (header + len > buf_.size()) buf_.resize(header + len + begin_);
            return;
        }
        std::string_view payload(buf_.data() + begin_ + header, static_cast<std::size_t>(len));
        begin_ += header + static_cast<std::size_t>(len);
        handle_frame(opcode, fin, payload);
    }
}

void WsClient::handle_frame(std::uint8_t opcode, bool fin, std::string_view payload) {
    switch (opcode) {
        case 0x1:
            if (fin) return listener_.on_text(*this, payload);
            fragments_.assign(payload);
            in_fragmented_text_ = true;
            return;
        case 0x0:
            if (!in_fragmented_text_) return;
            fragments_.append(payload);
            if (fin) {
                in_fragmented_text_ = false;
                std::string whole = std::move(fragments_);
                fragments_.clear();
                listener_.on_text(*this, whole);
            }
            return;
        case 0x8: {
            std::uint16_t code =
                payload.size() >= 2
                    ? static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                 static_cast<std::uint8_t>(payload[1]))
                    : 1005;
            std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view{});
            if (state_ == State::Open) close(code == 1005 ? 1000 : code);
            return finish("server closed with " + std::to_string(code) +
                          (reason.empty() ? "" : " " + reason));
        }
        case 0x9:
            return send_frame(0xA, payload);
        default:
            return;  // pong, binary: nothing to do
    }
}

void WsClient::finish(std::string_view why) {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    boost::system::error_code ignored;
    if (!out_.empty() && socket_.is_open() && !tls_) {
        // Try to get the last frame (our close reply) out without waiting for it.
        socket_.non_blocking(true, ignored);
        if (!writing_) asio::write(socket_, asio::buffer(out_.front()), ignored);
    }
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    out_.clear();
    buf_.clear();
    buf_.shrink_to_fit();
    listener_.on_closed(*this, was_open_, why);
}

}  // namespace parley::load
