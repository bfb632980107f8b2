#include "token/token_sealer.hpp"

#include "model/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

namespace parley::token {
using model::base64url_decode;
using model::base64url_encode;

namespace {

constexpr std::size_t kHeaderBytes = 2;  // version, key id
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::size_t kTokenIdBytes = 16;
constexpr std::size_t kEnvelopeBytes = kHeaderBytes + kNonceBytes + kTagBytes;

constexpr std::array<std::string_view, 3> kCapabilityCodes = {"SEND_MESSAGE", "DISCONNECT_USER",
                                                              "DELETE_MESSAGE"};

void random_bytes(unsigned char* out, std::size_t n) {
    if (RAND_bytes(out, static_cast<int>(n)) != 1) {
        throw std::runtime_error("chat token: RAND_bytes failed");
    }
}

// ---- claims codec ------------------------------------------------------------------------
// Layout: token id (tag 0 + 16 raw bytes when it is 32 lowercase hex chars, else tag 1 + str),
// room ARN, user id, capabilities (count, then code 1-3, or 0 + str for others), attributes
// (count, then key/value strs), session minutes (zigzag), issued at (zigzag), expiry - issued
// (mod 2^64). str = varint length + bytes; integers are LEB128 varints.

constexpr char kHexDigits[] = "0123456789abcdef";

int lower_hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool is_lower_hex_id(std::string_view id) {
    if (id.size() != 2 * kTokenIdBytes) return false;
    for (char c : id) {
        if (lower_hex_value(c) < 0) return false;
    }
    return true;
}

std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class ClaimsWriter {
  public:
    explicit ClaimsWriter(std::string& out) : out_(out) {}
    void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            byte(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        byte(static_cast<std::uint8_t>(v));
    }
    void str(std::string_view s) {
        varint(s.size());
        out_.append(s);
    }
    void raw(const unsigned char* p, std::size_t n) {
        out_.append(reinterpret_cast<const char*>(p), n);
    }

  private:
    std::string& out_;
};

class ClaimsReader {
  public:
    explicit ClaimsReader(std::string_view in) : in_(in) {}
    bool done() const { return in_.empty(); }
    bool byte(std::uint8_t& b) {
        if (in_.empty()) return false;
        b = static_cast<std::uint8_t>(in_.front());
        in_.remove_prefix(1);
        return true;
    }
    bool varint(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            std::uint8_t b = 0;
            if (!byte(b)) return false;
            if (shift == 63 && b > 1) return false;  // would overflow 64 bits
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
    bool bytes(std::size_t n, std::string_view& out) {
        if (n > in_.size()) return false;
        out = in_.substr(0, n);
        in_.remove_prefix(n);
        return true;
    }
    bool str(std::string& out) {
        std::uint64_t n = 0;
        std::string_view v;
        if (!varint(n) || n > in_.size() || !bytes(static_cast<std::size_t>(n), v)) return false;
        out.assign(v);
        return true;
    }
    bool count(std::uint64_t& n) { return varint(n) && n <= in_.size(); }  // >= 1 byte each

  private:
    std::string_view in_;
};

std::size_t encoded_size_estimate(const ChatTokenClaims& c) {
    std::size_t n =
        1 + 2 * kTokenIdBytes + 10 + c.room_arn.size() + 10 + c.user_id.size() + 10 + 10 + 30;
    for (const auto& cap : c.capabilities) n += 11 + cap.size();
    for (const auto& [k, v] : c.attributes) n += 20 + k.size() + v.size();
    return n;
}

void encode_claims(const ChatTokenClaims& c, std::string& out) {
    ClaimsWriter w(out);
    if (c.token_id.empty() || is_lower_hex_id(c.token_id)) {
        std::array<unsigned char, kTokenIdBytes> id{};
        if (c.token_id.empty()) {
            random_bytes(id.data(), id.size());
        } else {
            for (std::size_t i = 0; i < kTokenIdBytes; ++i) {
                id[i] = static_cast<unsigned char>(lower_hex_value(c.token_id[2 * i]) << 4 |
                                                   lower_hex_value(c.token_id[2 * i + 1]));
            }
        }
        w.byte(0);
        w.raw(id.data(), id.size());
    } else {
        w.byte(1);
        w.str(c.token_id);
    }
    w.str(c.room_arn);
    w.str(c.user_id);
    w.varint(c.capabilities.size());
    for (const auto& cap : c.capabilities) {
        std::uint8_t code = 0;
        for (std::size_t i = 0; i < kCapabilityCodes.size(); ++i) {
            if (cap == kCapabilityCodes[i]) code = static_cast<std::uint8_t>(i + 1);
        }
        w.byte(code);
        if (code == 0) w.str(cap);
    }
    w.varint(c.attributes.size());
    for (const auto& [k, v] : c.attributes) {
        w.str(k);
        w.str(v);
    }
    w.varint(zigzag(c.session_duration_minutes));
    w.varint(zigzag(c.issued_at_ms));
    w.varint(static_cast<std::uint64_t>(c.token_expires_at_ms) -
             static_cast<std::uint64_t>(c.issued_at_ms));
}

bool decode_claims(std::string_view in, ChatTokenClaims& c) {
    ClaimsReader r(in);
    std::uint8_t tag = 0;
    if (!r.byte(tag)) return false;
    if (tag == 0) {
        std::string_view id;
        if (!r.bytes(kTokenIdBytes, id)) return false;
        c.token_id.resize(2 * kTokenIdBytes);
        for (std::size_t i = 0; i < kTokenIdBytes; ++i) {
            auto b = static_cast<unsigned char>(id[i]);
            c.token_id[2 * i] = kHexDigits[b >> 4];
            c.token_id[2 * i + 1] = kHexDigits[b & 0xF];
        }
    } else if (tag != 1 || !r.str(c.token_id)) {
        return false;
    }
    if (!r.str(c.room_arn) || !r.str(c.user_id)) return false;
    std::uint64_t n = 0;
    if (!r.count(n)) return false;
    c.capabilities.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint8_t code = 0;
        if (!r.byte(code) || code > kCapabilityCodes.size()) return false;
        if (code == 0) {
            if (!r.str(c.capabilities.emplace_back())) return false;
        } else {
            c.capabilities.emplace_back(kCapabilityCodes[code - 1]);
        }
    }
    if (!r.count(n)) return false;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string k, v;
        if (!r.str(k) || !r.str(v)) return false;
        if (!c.attributes.emplace(std::move(k), std::move(v)).second) return false;
    }
    std::uint64_t minutes = 0, issued = 0, ttl = 0;
    if (!r.varint(minutes) || !r.varint(issued) || !r.varint(ttl) || !r.done()) return false;
    std::int64_t m = unzigzag(minutes);
    if (m < std::numeric_limits<int>::min() || m > std::numeric_limits<int>::max()) return false;
    c.session_duration_minutes = static_cast<int>(m);
    c.issued_at_ms = unzigzag(issued);
    c.token_expires_at_ms =
        static_cast<std::int64_t>(static_cast<std::uint64_t>(c.issued_at_ms) + ttl);
    return true;
}

// ---- AES-256-GCM -------------------------------------------------------------------------

// Fetched once: implicit fetching inside EVP_EncryptInit_ex costs a lookup on every call.
const EVP_CIPHER* aes_256_gcm() {
    static EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
}

// One context per thread and direction, given the cipher once: a new context per token cost
// two allocations and the cipher's set-up. The key schedule (and GCM's hash key) stay in the
// context while the key does: with an unchanged key, each use only sets the nonce, which saves
// about half of opening a token (callgrind, docs/performance.md p).
class ThreadCipher {
  public:
    explicit ThreadCipher(bool encrypt) : encrypt_(encrypt) {}
    ~ThreadCipher() {
        EVP_CIPHER_CTX_free(ctx_);
        OPENSSL_cleanse(key_.data(), key_.size());
    }
    ThreadCipher(const ThreadCipher&) = delete;
    ThreadCipher& operator=(const ThreadCipher&) = delete;

    // The context, keyed with `key` and given `nonce`; null if OpenSSL fails.
    EVP_CIPHER_CTX* start(const KeyBytes& key, const unsigned char* nonce) {
        if (ctx_ == nullptr) {
            ctx_ = EVP_CIPHER_CTX_new();
            if (ctx_ == nullptr) return nullptr;
            if (EVP_CipherInit_ex(ctx_, aes_256_gcm(), nullptr, nullptr, nullptr, encrypt_) != 1)
                return forget();
        }
        const bool same_key = keyed_ && CRYPTO_memcmp(key_.data(), key.data(), key.size()) == 0;
        if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, same_key ? nullptr : key.data(), nonce,
                              encrypt_) != 1)
            return forget();
        if (!same_key) {
            key_ = key;
            keyed_ = true;
        }
        return ctx_;
    }

  private:
    EVP_CIPHER_CTX* forget() {
        EVP_CIPHER_CTX_free(ctx_);
        ctx_ = nullptr;
        keyed_ = false;
        return nullptr;
    }

    int encrypt_;
    EVP_CIPHER_CTX* ctx_ = nullptr;
    KeyBytes key_{};
    bool keyed_ = false;
};

EVP_CIPHER_CTX* thread_cipher_ctx(bool encrypt, const KeyBytes& key, const unsigned char* nonce) {
    thread_local ThreadCipher ciphers[2] = {ThreadCipher(false), ThreadCipher(true)};
    return ciphers[encrypt ? 1 : 0].start(key, nonce);
}

auto* uc(char* p) {
    return reinterpret_cast<unsigned char*>(p);
}

// Encrypts buf[kHeaderBytes + kNonceBytes, size - kTagBytes) in place and writes the tag.
bool seal_in_place(std::string& buf, const KeyBytes& key) {
    int len = 0;
    unsigned char* base = uc(buf.data());
    int body = static_cast<int>(buf.size() - kEnvelopeBytes);
    unsigned char* text = base + kHeaderBytes + kNonceBytes;
    EVP_CIPHER_CTX* ctx = thread_cipher_ctx(true, key, base + kHeaderBytes);
    return ctx != nullptr &&
           EVP_EncryptUpdate(ctx, nullptr, &len, base, static_cast<int>(kHeaderBytes)) == 1 &&
           EVP_EncryptUpdate(ctx, text, &len, text, body) == 1 &&
           EVP_EncryptFinal_ex(ctx, text + len, &len) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                               text + body) == 1;
}

// Decrypts in place; false if the tag does not match (or OpenSSL fails).
bool open_in_place(std::string& buf, const KeyBytes& key) {
    int len = 0;
    unsigned char* base = uc(buf.data());
    int body = static_cast<int>(buf.size() - kEnvelopeBytes);
    unsigned char* text = base + kHeaderBytes + kNonceBytes;
    EVP_CIPHER_CTX* ctx = thread_cipher_ctx(false, key, base + kHeaderBytes);
    return ctx != nullptr &&
           EVP_DecryptUpdate(ctx, nullptr, &len, base, static_cast<int>(kHeaderBytes)) == 1 &&
           EVP_DecryptUpdate(ctx, text, &len, text, body) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                               text + body) == 1 &&
           EVP_DecryptFinal_ex(ctx, text + len, &len) == 1;
}

OpenResult failure(TokenError e) {
    return OpenResult{std::nullopt, e};
}

}  // namespace

std::string_view to_string(TokenError e) {
    switch (e) {
        case TokenError::Malformed:
            return "Malformed";
        case TokenError::UnknownKey:
            return "UnknownKey";
        case TokenError::Tampered:
            return "Tampered";
        case TokenError::Expired:
            return "Expired";
    }
    return "Unknown";
}

std::string new_token_id() {
    std::array<unsigned char, kTokenIdBytes> id{};
    random_bytes(id.data(), id.size());
    std::string out(2 * kTokenIdBytes, '0');
    for (std::size_t i = 0; i < kTokenIdBytes; ++i) {
        out[2 * i] = kHexDigits[id[i] >> 4];
        out[2 * i + 1] = kHexDigits[id[i] & 0xF];
    }
    return out;
}

TokenSealer::TokenSealer(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {
    if (!keys_) throw std::invalid_argument("TokenSealer needs a key ring");
}

std::string TokenSealer::seal(const ChatTokenClaims& c) const {
    SealingKey key = keys_->active();
    std::string buf;
    buf.reserve(kEnvelopeBytes + encoded_size_estimate(c));
    buf.resize(kHeaderBytes + kNonceBytes);
    buf[0] = static_cast<char>(kTokenVersion);
    buf[1] = static_cast<char>(key.id);
    random_bytes(uc(buf.data()) + kHeaderBytes, kNonceBytes);
    encode_claims(c, buf);
    buf.resize(buf.size() + kTagBytes);
    bool sealed = seal_in_place(buf, key.bytes);
    OPENSSL_cleanse(key.bytes.data(), key.bytes.size());
    if (!sealed) throw std::runtime_error("chat token: AES-256-GCM encryption failed");
    return base64url_encode(uc(buf.data()), buf.size());
}

OpenResult TokenSealer::open(std::string_view token, std::int64_t now_ms) const {
    if (token.empty() || token.size() > kMaxTokenChars) return failure(TokenError::Malformed);
    std::string buf;
    if (!base64url_decode(token, buf) || buf.size() < kEnvelopeBytes) {
        return failure(TokenError::Malformed);
    }
    if (static_cast<std::uint8_t>(buf[0]) != kTokenVersion) return failure(TokenError::Malformed);
    auto key = keys_->find(static_cast<std::uint8_t>(buf[1]));
    if (!key) return failure(TokenError::UnknownKey);
    bool opened = open_in_place(buf, *key);
    OPENSSL_cleanse(key->data(), key->size());
    if (!opened) return failure(TokenError::Tampered);

    OpenResult result;
    auto plain =
        std::string_view(buf).substr(kHeaderBytes + kNonceBytes, buf.size() - kEnvelopeBytes);
    if (!decode_claims(plain, result.claims.emplace())) return failure(TokenError::Malformed);
    if (now_ms >= result.claims->token_expires_at_ms) return failure(TokenError::Expired);
    return result;
}

}  // namespace parley::token
