#include "store/pg_token_keys.hpp"

#include <algorithm>

#include "store/pg_schema_migrations.hpp"
#include "store/pg_store.hpp"

namespace parley::store {
namespace {

std::vector<StoredTokenKey> read_keys(PgConnection& conn) {
    auto rows = conn.exec(
        "SELECT id, created_s, activate_s, wrapped FROM token_keys ORDER BY activate_s, id");
    std::vector<StoredTokenKey> keys;
    for (int i = 0; i < rows.rows(); ++i) {
        keys.push_back(StoredTokenKey{.id = static_cast<std::uint32_t>(rows.int64(i, 0)),
                                      .created_s = rows.int64(i, 1),
                                      .activate_s = rows.int64(i, 2),
                                      .wrapped = rows.bytes(i, 3)});
    }
    return keys;
}

}  // namespace

std::vector<StoredTokenKey> load_token_keys(PgPool& pool) {
    auto conn = pool.acquire();
    return read_keys(*conn);
}

std::optional<std::uint32_t> maintain_token_keys(
    PgPool& pool, std::int64_t now_s, const TokenKeyPolicy& policy,
    const std::function<std::string(std::uint32_t id)>& wrap) {
    auto conn = pool.acquire();
    PgTransaction transaction(*conn);
    conn->exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(kTokenKeyLock)});
    auto keys = read_keys(*conn);
    bool changed = false;

    // A key is needed by no token once a newer key has been active for `retain`.
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
        const auto& successor = keys[i + 1];
        if (successor.activate_s <= now_s - policy.retain.count()) {
            conn->exec("DELETE FROM token_keys WHERE id = $1", {std::to_string(keys[i].id)});
            changed = true;
        }
    }

    std::optional<std::uint32_t> added;
    const bool first = keys.empty();
    const bool due = !first && policy.rotate_after.count() > 0 &&
                     keys.back().created_s <= now_s - policy.rotate_after.count();
    if (first || due) {
        std::uint32_t id = first ? 1 : keys.back().id;
        auto taken = [&](std::uint32_t candidate) {
            return std::any_of(keys.begin(), keys.end(),
                               [&](const StoredTokenKey& k) { return k.id == candidate; });
        };
        for (int tries = 0;; ++tries) {
            if (tries > 256) throw std::runtime_error("token keys: all 256 key ids are in use");
            id = first ? 1 : (id + 1) % 256;
            if (!taken(id)) break;
        }
        const std::int64_t activate = first ? now_s : now_s + policy.activation_delay.count();
        conn->exec(
            "INSERT INTO token_keys (id, created_s, activate_s, wrapped) VALUES ($1, $2, $3, "
            "$4::bytea)",
            {std::to_string(id), std::to_string(now_s), std::to_string(activate),
             pg_bytea_literal(wrap(id))});
        added = id;
        changed = true;
    }
    if (changed) conn->exec("SELECT pg_notify($1, 'keys')", {std::string(kChangeChannel)});
    transaction.commit();
    return added;
}

}  // namespace parley::store
