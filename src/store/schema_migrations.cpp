#include "store/schema_migrations.hpp"

#include <sqlite3.h>

#include <array>
#include <stdexcept>
#include <string>

#include "store/schema_migration.hpp"
#include "store/sqlite_statement.hpp"

namespace parley::store {
namespace {

// Append only: a released migration is never edited, a change is a new entry.
constexpr std::array kMigrations = {
    SchemaMigration{1, R"sql(
CREATE TABLE rooms (
    id              TEXT PRIMARY KEY NOT NULL,
    arn             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    create_time     INTEGER NOT NULL,
    update_time     INTEGER NOT NULL,
    max_len         INTEGER NOT NULL,
    max_rate        INTEGER NOT NULL,
    review_uri      TEXT NULL,  -- NULL: no message review handler
    review_fallback TEXT NOT NULL DEFAULT 'ALLOW'
);
CREATE TABLE room_logging_configurations (
    room_id                   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    position                  INTEGER NOT NULL,
    logging_configuration_arn TEXT NOT NULL,
    PRIMARY KEY (room_id, position)
) WITHOUT ROWID;
CREATE INDEX room_logging_configurations_by_arn
    ON room_logging_configurations (logging_configuration_arn);
CREATE TABLE logging_configurations (
    id                TEXT PRIMARY KEY NOT NULL,
    arn               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    create_time       INTEGER NOT NULL,
    update_time       INTEGER NOT NULL,
    destination_type  TEXT NOT NULL CHECK (destination_type IN ('s3', 'cloudWatchLogs', 'firehose')),
    destination_value TEXT NOT NULL,
    state             TEXT NOT NULL
);
-- Tags of rooms and logging configurations alike, keyed by the resource's ARN.
CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;
)sql"},
    // Message history (docs/extensions.md): each room's recent MESSAGE frames, as delivered.
    // `seq` orders a room's messages; trimming by count and age keeps the table small. No
    // secondary index: every statement names one room, whose at most N rows the primary key
    // reaches directly, and an index would cost each insert more than it saves.
    SchemaMigration{2, R"sql(
CREATE TABLE room_messages (
    room_id      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    message_id   TEXT NOT NULL,
    send_time_ns INTEGER NOT NULL,
    json         TEXT NOT NULL,
    PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
)sql"},
};

constexpr bool versions_ascend_from_one() {
    for (std::size_t i = 0; i < kMigrations.size(); ++i) {
        if (kMigrations[i].version != static_cast<int>(i) + 1) return false;
    }
    return true;
}
static_assert(versions_ascend_from_one(), "migration versions must be 1, 2, 3, ... in order");

int read_user_version(sqlite3* db) {
    SqliteStatement query(db, "PRAGMA user_version");
    if (!query.step()) throw std::runtime_error("sqlite: PRAGMA user_version returned no row");
    return static_cast<int>(query.int64(0));
}

}  // namespace

int latest_schema_version() {
    return kMigrations.back().version;
}

void migrate_schema(sqlite3* db) {
    // One write transaction: two processes opening the same new file cannot both migrate it.
    SqliteTransaction transaction(db, SqliteTransaction::Kind::Write);
    const int current = read_user_version(db);
    if (current > latest_schema_version()) {
        throw std::runtime_error(
            "database schema version " + std::to_string(current) +
            " is newer than this Parley supports (" + std::to_string(latest_schema_version()) +
            "); refusing to open it — upgrade Parley or use another data directory");
    }
    if (current < 0) {
        throw std::runtime_error("database schema version " + std::to_string(current) +
                                 " is not valid; refusing to open it");
    }
    for (const SchemaMigration& migration : kMigrations) {
        if (migration.version <= current) continue;
        execute(db, migration.sql);
        execute(db, "PRAGMA user_version = " + std::to_string(migration.version));
    }
    transaction.commit();
}

}  // namespace parley::store
