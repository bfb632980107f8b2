#include "messaging/server_tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace parley::messaging {

namespace ssl = boost::asio::ssl;

namespace {
std::string newest_openssl_reason() {
    unsigned long code = 0, last = 0;
    while ((code = ERR_get_error()) != 0) last = code;
    if (last == 0) return "unknown error";
    const char* reason = ERR_reason_error_string(last);
    return reason ? reason : "error " + std::to_string(last);
}

void require_readable(const std::filesystem::path& file, const char* what) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw std::invalid_argument(std::string(what) + " " + file.string() + ": is a directory");
    if (std::FILE* f = std::fopen(file.c_str(), "r"))
        std::fclose(f);
    else
        throw std::invalid_argument(std::string(what) + " " + file.string() +
                                    ": cannot read: " + std::strerror(errno));
}

// Both doors speak HTTP/1.1 only (the WebSocket upgrade is HTTP/1.1): a client offering h2 and
// http/1.1 gets http/1.1; one offering neither gets no ALPN answer rather than a refusal.
int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
    static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
}  // namespace

ServerTlsContext::ServerTlsContext(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {
    loaded_fingerprint_ = fingerprint();
    current_ = load();
}

std::shared_ptr<ssl::context> ServerTlsContext::load() const {
    require_readable(cert_file_, "TLS certificate");
    require_readable(key_file_, "TLS key");
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    // Idle connections give their 16 KiB+ read and write buffers back (tens of thousands of
    // idle chat connections is the normal case); the chat door writes from a scratch buffer
    // that can move between retries.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                 SSL_MODE_ENABLE_PARTIAL_WRITE);
    SSL_CTX_set_alpn_select_cb(native, select_http11, nullptr);
    // No server-side session cache (it would keep up to 20,480 sessions in memory): resumption
    // uses stateless tickets, which the client keeps.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(native, cert_file_.c_str()) != 1)
        throw std::invalid_argument(
            "TLS certificate " + cert_file_.string() +
            ": cannot load a PEM certificate chain: " + newest_openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(native, key_file_.c_str(), SSL_FILETYPE_PEM) != 1) {
        auto reason = newest_openssl_reason();
        // OpenSSL checks the pair while loading: say which files do not belong together.
        if (reason == "key values mismatch")
            throw std::invalid_argument("TLS key " + key_file_.string() +
                                        " does not match the certificate " + cert_file_.string());
        throw std::invalid_argument("TLS key " + key_file_.string() +
                                    ": cannot load a PEM private key: " + reason);
    }
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::invalid_argument("TLS key " + key_file_.string() +
                                    " does not match the certificate " + cert_file_.string() +
                                    ": " + newest_openssl_reason());
    return ctx;
}

std::shared_ptr<ssl::context> ServerTlsContext::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::string ServerTlsContext::reload() {
    auto stamp = fingerprint();
    try {
        auto fresh = load();
        std::lock_guard lock(mutex_);
        current_ = std::move(fresh);
        loaded_fingerprint_ = std::move(stamp);
        return {};
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        loaded_fingerprint_ = std::move(stamp);  // report a bad file once, not every poll
        return e.what();
    }
}

bool ServerTlsContext::reload_if_changed(std::string& error) {
    {
        std::lock_guard lock(mutex_);
        if (fingerprint() == loaded_fingerprint_) return false;
    }
    error = reload();
    return error.empty();
}

std::string ServerTlsContext::fingerprint() const {
    std::string out;
    for (const auto* file : {&cert_file_, &key_file_}) {
        std::error_code ec;
        auto time = std::filesystem::last_write_time(*file, ec);
        auto size = std::filesystem::file_size(*file, ec);
        out += std::to_string(ec ? -1 : time.time_since_epoch().count()) + "/" +
               std::to_string(ec ? 0 : size) + ";";
    }
    return out;
}

}  // namespace parley::messaging
