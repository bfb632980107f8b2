#include "store/pg_schema_migrations.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "store/pg_connection.hpp"
#include "store/schema_migration.hpp"

namespace parley::store {
namespace {

// Append only: a released migration is never edited, a change is a new entry. Mirrors the
// SQLite schema, plus what only a shared database needs (token keys, reference constraints).
constexpr std::array kMigrations = {
    SchemaMigration{1, R"sql(
CREATE TABLE rooms (
    id              TEXT PRIMARY KEY,
    arn             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    create_time     BIGINT NOT NULL,
    update_time     BIGINT NOT NULL,
    max_len         INTEGER NOT NULL,
    max_rate        INTEGER NOT NULL,
    review_uri      TEXT NULL,  -- NULL: no message review handler
    review_fallback TEXT NOT NULL DEFAULT 'ALLOW'
);
CREATE TABLE logging_configurations (
    id                TEXT PRIMARY KEY,
    arn               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    create_time       BIGINT NOT NULL,
    update_time       BIGINT NOT NULL,
    destination_type  TEXT NOT NULL CHECK (destination_type IN ('s3', 'cloudWatchLogs', 'firehose')),
    destination_value TEXT NOT NULL,
    state             TEXT NOT NULL
);
-- The foreign key is the last line of defence for "a logging configuration in use cannot be
-- deleted": it holds even for writers that skipped the explicit row locks.
CREATE TABLE room_logging_configurations (
    room_id                   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    position                  INTEGER NOT NULL,
    logging_configuration_arn TEXT NOT NULL
        REFERENCES logging_configurations (arn) ON DELETE RESTRICT,
    PRIMARY KEY (room_id, position)
);
CREATE INDEX room_logging_configurations_by_arn
    ON room_logging_configurations (logging_configuration_arn);
-- Tags of rooms and logging configurations alike, keyed by the resource's ARN.
CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);
-- Chat-token keys shared by every node, each wrapped (AES-256-GCM) under the master key that
-- only the nodes hold. A key seals from activate_s on, until a newer one is active.
CREATE TABLE token_keys (
    id         INTEGER PRIMARY KEY CHECK (id BETWEEN 0 AND 255),
    created_s  BIGINT NOT NULL,
    activate_s BIGINT NOT NULL,
    wrapped    BYTEA NOT NULL
);
)sql"},
    // ListRooms pages by (update_time DESC, id) with ids compared bytewise.
    SchemaMigration{2, R"sql(
CREATE INDEX rooms_by_update_time ON rooms (update_time DESC, id COLLATE "C");
)sql"},
};

constexpr bool versions_ascend_from_one() {
    for (std::size_t i = 0; i < kMigrations.size(); ++i) {
        if (kMigrations[i].version != static_cast<int>(i) + 1) return false;
    }
    return true;
}
static_assert(versions_ascend_from_one(), "migration versions must be 1, 2, 3, ... in order");

}  // namespace

int latest_pg_schema_version() {
    return kMigrations.back().version;
}

void migrate_pg_schema(PgConnection& conn) {
    PgTransaction transaction(conn);
    conn.exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(kMigrationLock)});
    conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    auto row = conn.exec("SELECT max(version) FROM schema_version");
    const int current = row.is_null(0, 0) ? 0 : static_cast<int>(row.int64(0, 0));
    if (current > latest_pg_schema_version()) {
        throw std::runtime_error("PostgreSQL schema version " + std::to_string(current) +
                                 " is newer than this Parley supports (" +
                                 std::to_string(latest_pg_schema_version()) +
                                 "); refusing to use it — upgrade Parley on this node");
    }
    for (const SchemaMigration& migration : kMigrations) {
        if (migration.version <= current) continue;
        conn.exec_script(migration.sql);
        conn.exec("INSERT INTO schema_version (version) VALUES ($1)",
                  {std::to_string(migration.version)});
    }
    transaction.commit();
}

}  // namespace parley::store
