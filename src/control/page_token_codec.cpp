#include "control/page_token_codec.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "model/base64url.hpp"

namespace parley::control {

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
    return model::base64url_encode(tag + payload);
}

std::optional<PageCursor> PageTokenCodec::decode(std::string_view token,
                                                 std::string_view filters) const {
    auto raw = std::make_optional<std::string>();
    if (!model::base64url_decode(token, *raw) || raw->size() < 17) return std::nullopt;
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
