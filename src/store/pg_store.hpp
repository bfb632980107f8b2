#pragma once
// The cluster Store: PostgreSQL, shared by every node. Each write runs in one transaction that
// also sends a NOTIFY on channel kChangeChannel ("room <id>" / "lc <id>"), delivered to every
// listening node when (and only if) the write commits; see pg_change_listener.hpp.
#include <memory>
#include <string>

#include "store/pg_pool.hpp"
#include "store/pg_url.hpp"
#include "store/store.hpp"

namespace parley::store {

inline constexpr const char* kChangeChannel = "parley_changes";

class PgStore;

// Connects (Unavailable naming host:port when PostgreSQL cannot be reached), migrates the
// schema (std::runtime_error when it is newer than this build) and returns the store.
std::unique_ptr<PgStore> open_pg_store(const PgUrl& url, std::size_t max_connections = 8);

class PgStore : public Store {
  public:
    // Other PostgreSQL-backed components (token keys) borrow connections from the same pool.
    virtual PgPool& pool() = 0;
};

}  // namespace parley::store
