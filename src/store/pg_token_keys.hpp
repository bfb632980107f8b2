#pragma once
// The token_keys table: chat-token keys shared by every node, stored wrapped (the store never
// sees them in the clear; wrapping is the caller's job). Rotation happens once for the whole
// cluster: each node asks regularly, and under an advisory lock only the first asker after
// the rotation period adds a key. A new key activates `activation_delay` after it was added,
// so every node has loaded it (for opening) before any node seals with it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/pg_pool.hpp"

namespace parley::store {

struct StoredTokenKey {
    std::uint32_t id = 0;
    std::int64_t created_s = 0;
    std::int64_t activate_s = 0;
    std::string wrapped;
};

std::vector<StoredTokenKey> load_token_keys(PgPool& pool);  // oldest activation first

struct TokenKeyPolicy {
    std::chrono::seconds rotate_after{24 * 3600};  // 0: only create the first key
    std::chrono::seconds activation_delay{60};     // for keys after the first
    // Keys superseded longer ago than this are deleted (their tokens have all expired).
    std::chrono::seconds retain{3600 + 300};
};

// Creates the first key (active at once) when there is none, adds a new one when the newest
// is older than rotate_after, and deletes keys no token can need any more. `wrap(id)` makes
// the wrapped bytes of a fresh key for that id. Returns the id of a key it added. Sends a
// "keys" notification when anything changed.
std::optional<std::uint32_t> maintain_token_keys(
    PgPool& pool, std::int64_t now_s, const TokenKeyPolicy& policy,
    const std::function<std::string(std::uint32_t id)>& wrap);

}  // namespace parley::store
