#include "control/page_token_codec.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace parley::control {

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    while (i + 2 < in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
        i += 3;
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> unb64url(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = val(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}
}  // namespace

PageTokenCodec::PageTokenCodec() : key_(32, '\0') {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), 32) != 1)
        throw std::runtime_error("RAND_bytes failed");
}

std::string PageTokenCodec::mac(std::string_view data) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), 16);  // 128-bit tag is plenty here
}

std::string PageTokenCodec::encode(const PageCursor& cursor, std::string_view filters) const {
    std::string payload = std::to_string(cursor.update_time) + ":" + cursor.id;
    std::string tag = mac(payload + '\n' + std::string(filters));
    return b64url(tag + payload);
}

std::optional<PageCursor> PageTokenCodec::decode(std::string_view token,
                                                 std::string_view filters) const {
    auto raw = unb64url(token);
    if (!raw || raw->size() < 17) return std::nullopt;
    std::string tag = raw->substr(0, 16);
    std::string payload = raw->substr(16);
    std::string expect = mac(payload + '\n' + std::string(filters));
    if (CRYPTO_memcmp(tag.data(), expect.data(), 16) != 0) return std::nullopt;
    auto colon = payload.find(':');
    if (colon == std::string::npos) return std::nullopt;
    PageCursor c;
    try {
        c.update_time = std::stoll(payload.substr(0, colon));
    } catch (...) {
        return std::nullopt;
    }
    c.id = payload.substr(colon + 1);
    return c;
}

}  // namespace parley::control
