#include "net/client_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
std::variant<ClientConnection::PlainStream, ClientConnection::TlsStream> make_stream(
    const asio::any_io_executor& ex, asio::ssl::context* tls) {
    if (tls)
        return std::variant<ClientConnection::PlainStream, ClientConnection::TlsStream>(
            std::in_place_index<1>, ex, *tls);
    return std::variant<ClientConnection::PlainStream, ClientConnection::TlsStream>(
        std::in_place_index<0>, ex);
}
}  // namespace

ClientConnection::ClientConnection(const asio::any_io_executor& ex,
                                   std::shared_ptr<asio::ssl::context> tls)
    : stream_(make_stream(ex, tls.get())), tls_(std::move(tls)) {}

tcp::socket& ClientConnection::socket() {
    return visit([](auto& s) -> tcp::socket& { return beast::get_lowest_layer(s).socket(); });
}

void ClientConnection::async_handshake(const std::string& host,
                                       std::function<void(const boost::system::error_code&)> done) {
    auto& s = std::get<TlsStream>(stream_);
    SSL* ssl = s.native_handle();
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    const bool ip_literal = !ec;
    // RFC 6066: SNI carries DNS names only. SSL_set1_host takes either (OpenSSL 3): the chain
    // check then also fails on a certificate issued for another name.
    if ((!ip_literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) ||
        SSL_set1_host(ssl, host.c_str()) != 1) {
        return asio::post(s.get_executor(), [done = std::move(done)] {
            done(asio::error::make_error_code(asio::error::invalid_argument));
        });
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    s.async_handshake(asio::ssl::stream_base::client, std::move(done));
}

std::string ClientConnection::verify_problem() {
    auto* s = std::get_if<TlsStream>(&stream_);
    if (!s) return "";
    long result = SSL_get_verify_result(s->native_handle());
    if (result == X509_V_OK) return "";
    return X509_verify_cert_error_string(result);
}

bool ClientConnection::has_unread_input() {
    auto* s = std::get_if<TlsStream>(&stream_);
    return s && SSL_pending(s->native_handle()) > 0;
}

bool ClientConnection::idle_and_open() {
    auto& s = socket();
    if (!s.is_open()) return false;
    boost::system::error_code ec;
    s.non_blocking(true, ec);
    if (ec) return false;
    char byte;
    s.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
    // would_block: nothing to read and not closed. EOF, an error or bytes: not reusable.
    if (ec != asio::error::would_block && ec != asio::error::try_again) return false;
    s.non_blocking(false, ec);
    return !ec;
}

void ClientConnection::close() {
    // No TLS close_notify: it would need another round trip, and HTTP framing already tells
    // the server where the last request ended.
    boost::system::error_code ignored;
    auto& s = socket();
    if (s.is_open()) s.close(ignored);
}

}  // namespace parley::net
