#include "auth/sigv4_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <limits>
#include <memory>
#include <stdexcept>

namespace parley::auth {

namespace {
// OpenSSL 3 looks algorithms up by name on every one-shot call; fetching SHA-256 once and keeping
// one HMAC context per thread (re-keyed per use) halves the cost of each primitive.
const EVP_MD* sha256() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

struct MacCtxDeleter {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

EVP_MAC_CTX* thread_hmac_ctx() {
    thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx = [] {
        static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> c(mac ? EVP_MAC_CTX_new(mac) : nullptr);
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (c && EVP_MAC_CTX_set_params(c.get(), params) != 1) c.reset();
        return c;
    }();
    return ctx.get();
}
}  // namespace

std::string hex_encode(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0x0f];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    EVP_MAC_CTX* ctx = thread_hmac_ctx();
    if (!ctx ||
        EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
            1 ||
        EVP_MAC_final(ctx, md, &len, sizeof md) != 1)
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(md), len);
}

std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                               std::string_view region, std::string_view service) {
    // The key changes once a day per credential and scope: keep the last few per thread.
    struct Entry {
        std::string secret, date, region, service, key;
    };
    thread_local std::array<Entry, 4> cache;
    thread_local std::size_t next = 0;
    for (const auto& e : cache)
        if (!e.key.empty() && e.date == date && e.region == region && e.service == service &&
            e.secret == secret_access_key)
            return e.key;

    std::string k_secret = "AWS4";
    k_secret += secret_access_key;
    std::string k_date = hmac_sha256(k_secret, date);
    std::string k_region = hmac_sha256(k_date, region);
    std::string k_service = hmac_sha256(k_region, service);
    Entry& slot = cache[next++ % cache.size()];
    slot = {std::string(secret_access_key), std::string(date), std::string(region),
            std::string(service), hmac_sha256(k_service, "aws4_request")};
    return slot.key;
}

std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign) {
    return hex_encode(hmac_sha256(signing_key, string_to_sign));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace parley::auth
