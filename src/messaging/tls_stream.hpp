#pragma once
// TLS over a chat connection's own non-blocking socket, OpenSSL driven directly on the file
// descriptor. The chat door reads and writes in reactor style (wait until readable, then read
// into the loop's shared buffer), which this keeps: no per-connection buffers beyond OpenSSL's,
// which SSL_MODE_RELEASE_BUFFERS frees while the connection is idle (asio::ssl::stream would add
// 34 KiB of fixed buffers per connection). Also an Asio AsyncStream (async_read_some,
// async_write_some) for the upgrade request and for composed writes.
#include <openssl/ssl.h>

#include <boost/asio/compose.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "messaging/polled_socket.hpp"

namespace parley::messaging {

class TlsStream {
  public:
    using executor_type = PolledSocket::executor_type;

    // `socket` must outlive the stream. Throws std::runtime_error when OpenSSL cannot make one.
    TlsStream(PolledSocket& socket, SSL_CTX* ctx);
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    executor_type get_executor() { return socket_.get_executor(); }

    // Non-blocking steps: would_block when the socket must become readable (wants_write()
    // false) or writable (true) first.
    std::size_t read_some(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);
    // Writes a prefix of `buffers` (coalesced into one TLS record of at most 16 KiB).
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec);
    void handshake_step(boost::system::error_code& ec);
    bool wants_write() const { return wants_write_; }
    // Bytes OpenSSL has read from the socket but not yet handed out (a partial record too).
    bool has_buffered() const { return SSL_has_pending(ssl_.get()) == 1; }
    // Sends close_notify if the socket takes it now; never waits.
    void shutdown_now();
    // ALPN protocol chosen in the handshake ("" if none).
    std::string_view alpn() const;

    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        return async_until_ready(
            socket_,
            [this, buffers](boost::system::error_code& ec) {
                return read_some(*boost::asio::buffer_sequence_begin(buffers), ec);
            },
            [this] { return wanted_wait(); }, std::forward<Token>(token));
    }
    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        return async_until_ready(
            socket_,
            [this, buffers](boost::system::error_code& ec) { return write_some(buffers, ec); },
            [this] { return wanted_wait(); }, std::forward<Token>(token));
    }
    template <class Token>
    auto async_handshake(Token&& token) {
        return async_until_ready(
            socket_,
            [this](boost::system::error_code& ec) -> std::size_t {
                handshake_step(ec);
                return 0;
            },
            [this] { return wanted_wait(); }, std::forward<Token>(token));
    }

  private:
    // What OpenSSL waits for: a TLS read can need the socket writable (a key update), and back.
    boost::asio::socket_base::wait_type wanted_wait() const {
        return wants_write_ ? boost::asio::socket_base::wait_write
                            : boost::asio::socket_base::wait_read;
    }
    std::size_t write_bytes(const void* data, std::size_t n, boost::system::error_code& ec);
    // Maps SSL_get_error after a failed call; sets would_block for WANT_READ/WANT_WRITE.
    void translate(int ret, boost::system::error_code& ec);

    struct SslFree {
        void operator()(SSL* s) const { SSL_free(s); }
    };
    PolledSocket& socket_;
    std::unique_ptr<SSL, SslFree> ssl_;
    bool wants_write_ = false;
};

// One TLS record's worth of plaintext, gathered from `buffers` into the loop's scratch buffer:
// many small frames become one record (one encryption, one header) instead of one each.
std::span<std::uint8_t> tls_scratch();

template <class ConstBufferSequence>
std::size_t TlsStream::write_some(const ConstBufferSequence& buffers,
                                  boost::system::error_code& ec) {
    auto scratch = tls_scratch();
    std::size_t n = 0;
    auto end = boost::asio::buffer_sequence_end(buffers);
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end && n < scratch.size();
         ++it) {
        boost::asio::const_buffer b(*it);
        std::size_t take = std::min(b.size(), scratch.size() - n);
        std::memcpy(scratch.data() + n, b.data(), take);
        n += take;
    }
    if (n == 0) {
        ec = {};
        return 0;
    }
    return write_bytes(scratch.data(), n, ec);
}

}  // namespace parley::messaging
