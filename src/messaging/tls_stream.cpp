#include "messaging/tls_stream.hpp"

#include <openssl/err.h>

#include <array>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <stdexcept>

namespace parley::messaging {

namespace asio = boost::asio;

namespace {
// 16 KiB is TLS's largest record: a write never holds more than one.
thread_local std::array<std::uint8_t, 16 * 1024> t_tls_scratch;
}  // namespace

std::span<std::uint8_t> tls_scratch() {
    return {t_tls_scratch.data(), t_tls_scratch.size()};
}

TlsStream::TlsStream(PolledSocket& socket, SSL_CTX* ctx) : socket_(socket), ssl_(SSL_new(ctx)) {
    if (!ssl_) throw std::runtime_error("SSL_new failed");
    SSL_set_fd(ssl_.get(), socket_.native_handle());
    SSL_set_accept_state(ssl_.get());
}

void TlsStream::translate(int ret, boost::system::error_code& ec) {
    int err = SSL_get_error(ssl_.get(), ret);
    switch (err) {
        // OpenSSL's own read or write said EAGAIN: the socket's edge is spent (with
        // SSL_MODE_AUTO_RETRY, OpenSSL's default, a WANT_READ means just that).
        case SSL_ERROR_WANT_READ:
            socket_.clear_ready(PolledSocket::Read);
            wants_write_ = false;
            ec = asio::error::would_block;
            return;
        case SSL_ERROR_WANT_WRITE:
            socket_.clear_ready(PolledSocket::Write);
            wants_write_ = true;
            ec = asio::error::would_block;
            return;
        case SSL_ERROR_ZERO_RETURN:
            ec = asio::error::eof;
            return;
        case SSL_ERROR_SYSCALL: {
            int saved = errno;
            ERR_clear_error();
            ec = saved == 0 ? boost::system::error_code(asio::error::eof)
                            : boost::system::error_code(saved, boost::system::system_category());
            return;
        }
        default: {
            unsigned long code = ERR_get_error();
            ERR_clear_error();
            ec = boost::system::error_code(static_cast<int>(code ? code : 1),
                                           asio::error::get_ssl_category());
            return;
        }
    }
}

std::size_t TlsStream::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    ec = {};
    if (buffer.size() == 0) return 0;
    std::size_t n = 0;
    int ret = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
    if (ret == 1) return n;
    translate(ret, ec);
    return 0;
}

std::size_t TlsStream::write_bytes(const void* data, std::size_t size,
                                   boost::system::error_code& ec) {
    ec = {};
    std::size_t n = 0;
    int ret = SSL_write_ex(ssl_.get(), data, size, &n);
    if (ret == 1) return n;
    translate(ret, ec);
    return 0;
}

void TlsStream::handshake_step(boost::system::error_code& ec) {
    ec = {};
    int ret = SSL_do_handshake(ssl_.get());
    if (ret == 1) return;
    translate(ret, ec);
}

void TlsStream::shutdown_now() {
    if (SSL_is_init_finished(ssl_.get())) SSL_shutdown(ssl_.get());
    ERR_clear_error();
}

std::string_view TlsStream::alpn() const {
    const unsigned char* data = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &len);
    return {reinterpret_cast<const char*>(data), len};
}

}  // namespace parley::messaging
