#pragma once
// Turns claims into an opaque, tamper-proof chat token and back. Wire form (RFC 7230 `token`,
// so it can travel as the WebSocket sub-protocol):
//   base64url_nopad(version(1) ‖ key id(1) ‖ nonce(12) ‖ AES-256-GCM(claims) ‖ tag(16))
// with version and key id as the GCM additional data. Claims are a compact binary encoding.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "token/chat_token_claims.hpp"
#include "token/key_ring.hpp"

namespace parley::token {

inline constexpr std::uint8_t kTokenVersion = 1;
// Longest token open() looks at; real ones stay far below (attributes are capped at 1 KB).
inline constexpr std::size_t kMaxTokenChars = 16 * 1024;

enum class TokenError { Malformed, UnknownKey, Tampered, Expired };
std::string_view to_string(TokenError e);

struct OpenResult {
    std::optional<ChatTokenClaims> claims;
    TokenError error{};  // meaningful only when claims is empty
    bool ok() const { return claims.has_value(); }
};

// 16 random bytes as 32 lowercase hex chars (what seal() fills in for an empty token_id).
std::string new_token_id();

class TokenSealer {
  public:
    explicit TokenSealer(std::shared_ptr<const KeyRing> keys);

    // Seals with the ring's active key; thread-safe. Throws std::runtime_error only if OpenSSL
    // fails (out of memory, broken RNG).
    std::string seal(const ChatTokenClaims& c) const;
    // Checks integrity, then token expiry (Expired once now_ms >= token_expires_at_ms).
    // Never throws on bad input; thread-safe.
    OpenResult open(std::string_view token, std::int64_t now_ms) const;

  private:
    std::shared_ptr<const KeyRing> keys_;
};

}  // namespace parley::token
