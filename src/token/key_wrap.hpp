#pragma once
// Wrapping chat-token keys for a shared database: AES-256-GCM under a master key that only the
// nodes hold (PARLEY_MASTER_KEY / --master-key-file), so a database dump alone cannot mint
// tokens. Wrapped form: nonce(12) ‖ ciphertext(32) ‖ tag(16); the key id is additional data,
// so a wrapped key cannot be moved to another id.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "token/key_ring.hpp"

namespace parley::token {

// 64 hex characters (surrounding whitespace ignored) → 32 bytes; nullopt otherwise.
std::optional<KeyBytes> parse_hex_key(std::string_view text);

std::string wrap_key(const KeyBytes& master, std::uint32_t id, const KeyBytes& key);
// nullopt when the master key or id does not match, or the bytes were changed.
std::optional<KeyBytes> unwrap_key(const KeyBytes& master, std::uint32_t id,
                                   std::string_view wrapped);

// A fresh random key (throws std::runtime_error if the RNG fails).
KeyBytes random_key_bytes();

}  // namespace parley::token
