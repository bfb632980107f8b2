#include "token/key_wrap.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace parley::token {
namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

std::string additional_data(std::uint32_t id) {
    return "parley-token-key:" + std::to_string(id);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<KeyBytes> parse_hex_key(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.size() != 2 * kKeyBytes) return std::nullopt;
    KeyBytes key{};
    for (std::size_t i = 0; i < kKeyBytes; ++i) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return key;
}

KeyBytes random_key_bytes() {
    KeyBytes key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("token keys: RAND_bytes failed");
    return key;
}

std::string wrap_key(const KeyBytes& master, std::uint32_t id, const KeyBytes& key) {
    std::string out(kNonceBytes + kKeyBytes + kTagBytes, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    if (RAND_bytes(bytes, kNonceBytes) != 1)
        throw std::runtime_error("key wrap: RAND_bytes failed");
    const std::string aad = additional_data(id);
    Cipher c(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, master.data(), bytes) != 1 ||
        EVP_EncryptUpdate(c.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(c.get(), bytes + kNonceBytes, &len, key.data(),
                          static_cast<int>(key.size())) != 1 ||
        EVP_EncryptFinal_ex(c.get(), bytes + kNonceBytes + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                            bytes + kNonceBytes + kKeyBytes) != 1) {
        throw std::runtime_error("key wrap: AES-256-GCM encryption failed");
    }
    return out;
}

std::optional<KeyBytes> unwrap_key(const KeyBytes& master, std::uint32_t id,
                                   std::string_view wrapped) {
    if (wrapped.size() != kNonceBytes + kKeyBytes + kTagBytes) return std::nullopt;
    const auto* bytes = reinterpret_cast<const unsigned char*>(wrapped.data());
    const std::string aad = additional_data(id);
    KeyBytes key{};
    unsigned char tag[kTagBytes];
    std::copy(bytes + kNonceBytes + kKeyBytes, bytes + wrapped.size(), tag);
    Cipher c(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, master.data(), bytes) != 1 ||
        EVP_DecryptUpdate(c.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(c.get(), key.data(), &len, bytes + kNonceBytes,
                          static_cast<int>(kKeyBytes)) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
        EVP_DecryptFinal_ex(c.get(), key.data() + len, &len) != 1) {
        return std::nullopt;
    }
    return key;
}

}  // namespace parley::token
