#include "net/tls_client_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace parley::net {

namespace ssl = boost::asio::ssl;

namespace {
// The reason of the newest OpenSSL error, e.g. "no certificate or crl found".
std::string openssl_reason() {
    unsigned long code = 0, last = 0;
    while ((code = ERR_get_error()) != 0) last = code;
    if (last == 0) return "unknown error";
    const char* reason = ERR_reason_error_string(last);
    return reason ? reason : "error " + std::to_string(last);
}
}  // namespace

std::shared_ptr<ssl::context> make_tls_client_context(const std::string& ca_file,
                                                      std::string_view option) {
    const std::string flag(option);
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    // Loads the system bundle (Debian: /usr/lib/ssl/cert.pem -> ca-certificates.crt) into memory
    // now, so handshakes on the event loops find trusted roots without reading files. A host
    // without a trust store still works with an extra CA file, so a failure is not fatal.
    ctx->set_default_verify_paths(ec);
    ERR_clear_error();
    if (ca_file.empty()) return ctx;
    // OpenSSL says only "system lib" for a missing file: name the problem first.
    std::error_code fs_error;
    if (std::filesystem::is_directory(ca_file, fs_error))
        throw std::invalid_argument(flag + " " + ca_file + ": is a directory");
    if (std::FILE* f = std::fopen(ca_file.c_str(), "r"))
        std::fclose(f);
    else
        throw std::invalid_argument(flag + " " + ca_file +
                                    ": cannot read: " + std::strerror(errno));
    if (SSL_CTX_load_verify_locations(ctx->native_handle(), ca_file.c_str(), nullptr) != 1)
        throw std::invalid_argument(flag + " " + ca_file +
                                    ": cannot load PEM certificates: " + openssl_reason());
    return ctx;
}

}  // namespace parley::net
