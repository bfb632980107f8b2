#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/destination_codec.hpp"
#include "store/schema_migrations.hpp"
#include "store/sqlite_statement.hpp"

namespace parley::store {
namespace {

using model::LoggingConfiguration;
using model::Room;
using model::Tags;
using Kind = SqliteTransaction::Kind;

constexpr int kBusyTimeoutMillis = 5000;

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

// ---- tags (shared by both resource kinds) ----

void write_tags(sqlite3* db, std::string_view arn, const Tags& tags) {
    SqliteStatement insert(db, "INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?)");
    for (const auto& [key, value] : tags) {
        insert.bind(1, arn).bind(2, key).bind(3, value).run();
        insert.reset();
    }
}

void delete_tags(sqlite3* db, std::string_view arn) {
    SqliteStatement(db, "DELETE FROM tags WHERE resource_arn = ?").bind(1, arn).run();
}

Tags read_tags(sqlite3* db, std::string_view arn) {
    SqliteStatement query(db, "SELECT key, value FROM tags WHERE resource_arn = ?");
    query.bind(1, arn);
    Tags tags;
    while (query.step()) tags.emplace(query.text(0), query.text(1));
    return tags;
}

// The ARN stored for an id, if the row exists; `table` is one of our own table names.
std::optional<std::string> stored_arn(sqlite3* db, std::string_view table, std::string_view id) {
    SqliteStatement query(db, "SELECT arn FROM " + std::string(table) + " WHERE id = ?");
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return query.text(0);
}

std::size_t count_rows(sqlite3* db, std::string_view table) {
    SqliteStatement query(db, "SELECT COUNT(*) FROM " + std::string(table));
    return query.step() ? static_cast<std::size_t>(query.int64(0)) : 0;
}

// ---- rooms ----

constexpr const char* kRoomColumns =
    "SELECT id, arn, name, create_time, update_time, max_len, max_rate, review_uri, "
    "review_fallback FROM rooms";

Room room_from_row(const SqliteStatement& row) {
    Room room;
    room.id = row.text(0);
    room.arn = row.text(1);
    room.name = row.text(2);
    room.create_time = row.int64(3);
    room.update_time = row.int64(4);
    room.maximum_message_length = static_cast<int>(row.int64(5));
    room.maximum_message_rate_per_second = static_cast<int>(row.int64(6));
    if (!row.is_null(7)) {
        room.message_review_handler = model::MessageReviewHandler{row.text(7), row.text(8)};
    }
    return room;
}

void bind_room_fields(SqliteStatement& statement, const Room& room) {
    statement.bind(1, room.id)
        .bind(2, room.arn)
        .bind(3, room.name)
        .bind(4, room.create_time)
        .bind(5, room.update_time)
        .bind(6, std::int64_t{room.maximum_message_length})
        .bind(7, std::int64_t{room.maximum_message_rate_per_second});
    if (room.message_review_handler) {
        statement.bind(8, room.message_review_handler->uri)
            .bind(9, room.message_review_handler->fallback_result);
    } else {
        statement.bind_null(8).bind(9, std::string_view("ALLOW"));
    }
}

void write_room_links(sqlite3* db, const Room& room) {
    SqliteStatement insert(db,
                           "INSERT INTO room_logging_configurations "
                           "(room_id, position, logging_configuration_arn) VALUES (?, ?, ?)");
    std::int64_t position = 0;
    for (const std::string& arn : room.logging_configuration_identifiers) {
        insert.bind(1, room.id).bind(2, position++).bind(3, arn).run();
        insert.reset();
    }
}

std::vector<std::string> read_room_links(sqlite3* db, std::string_view room_id) {
    SqliteStatement query(db,
                          "SELECT logging_configuration_arn FROM room_logging_configurations "
                          "WHERE room_id = ? ORDER BY position");
    query.bind(1, room_id);
    std::vector<std::string> arns;
    while (query.step()) arns.push_back(query.text(0));
    return arns;
}

// ---- logging configurations ----

constexpr const char* kLoggingConfigurationColumns =
    "SELECT id, arn, name, create_time, update_time, destination_type, destination_value, state "
    "FROM logging_configurations";

LoggingConfiguration logging_configuration_from_row(const SqliteStatement& row) {
    LoggingConfiguration config;
    config.id = row.text(0);
    config.arn = row.text(1);
    config.name = row.text(2);
    config.create_time = row.int64(3);
    config.update_time = row.int64(4);
    config.destination_configuration = decode_destination(row.text(5), row.text(6));
    config.state = row.text(7);
    return config;
}

void bind_logging_configuration_fields(SqliteStatement& statement,
                                       const LoggingConfiguration& config) {
    const auto [type, value] = encode_destination(config.destination_configuration);
    statement.bind(1, config.id)
        .bind(2, config.arn)
        .bind(3, config.name)
        .bind(4, config.create_time)
        .bind(5, config.update_time)
        .bind(6, type)
        .bind(7, value)
        .bind(8, config.state);
}

// Fills every record's tags with one query for the whole table instead of one per record.
template <typename Record>
void attach_all_tags(sqlite3* db, std::string_view table, std::vector<Record>& records) {
    std::unordered_map<std::string_view, Record*> by_arn;
    for (Record& record : records) by_arn.emplace(record.arn, &record);
    SqliteStatement query(db, "SELECT t.resource_arn, t.key, t.value FROM tags t JOIN " +
                                  std::string(table) + " r ON r.arn = t.resource_arn");
    while (query.step()) {
        if (auto it = by_arn.find(query.text(0)); it != by_arn.end()) {
            it->second->tags.emplace(query.text(1), query.text(2));
        }
    }
}

// How long a write that failed for reasons of the disk keeps the store "not ready".
constexpr std::chrono::seconds kFailureMemory{10};

// Errors that say the disk cannot take writes, as opposed to a constraint or a caller's error.
bool is_storage_failure(int extended_code) {
    switch (extended_code & 0xff) {
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return true;
        default:
            return false;
    }
}

// A write transaction that remembers, when it ends without commit, whether the disk was why.
class WriteTransaction {
  public:
    WriteTransaction(sqlite3* db, std::atomic<std::int64_t>& failed_at)
        : db_(db), failed_at_(failed_at), transaction_(db, SqliteTransaction::Kind::Write) {}
    ~WriteTransaction() {
        // Runs before transaction_'s rollback, which would reset the error code.
        if (!committed_ && is_storage_failure(sqlite3_extended_errcode(db_)))
            failed_at_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                             std::memory_order_relaxed);
    }
    void commit() {
        transaction_.commit();
        committed_ = true;
    }

  private:
    sqlite3* db_;
    std::atomic<std::int64_t>& failed_at_;
    SqliteTransaction transaction_;
    bool committed_ = false;
};

class SqliteStore final : public Store {
  public:
    explicit SqliteStore(const std::filesystem::path& database_file) {
        if (database_file.has_parent_path()) {
            std::filesystem::create_directories(database_file.parent_path());
        }
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(database_file.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOMUTEX,  // our mutex serialises use
                                       nullptr);
        db_.reset(raw);  // a handle comes back even on failure and must be closed
        if (rc != SQLITE_OK) throw_sqlite_error(raw, "open " + database_file.string());

        sqlite3_extended_result_codes(raw, 1);
        sqlite3_busy_timeout(raw, kBusyTimeoutMillis);
        execute(raw, "PRAGMA foreign_keys = ON");
        {
            SqliteStatement journal(raw, "PRAGMA journal_mode = WAL");
            if (!journal.step() || journal.text(0) != "wal") {
                throw std::runtime_error("sqlite (" + database_file.string() +
                                         "): could not switch to WAL journal mode");
            }
        }
        // A response is sent only after commit, so a commit must reach the disk before it
        // returns: FULL syncs the WAL on every commit and survives power loss, not just kill -9.
        execute(raw, "PRAGMA synchronous = FULL");
        migrate_schema(raw);
        probe_write(raw, database_file);
    }

    // A read-only file or directory, or a full disk, must stop the start: otherwise the server
    // would come up "ready" and answer every write with 500. Rewriting the schema version is a
    // real committed write (WAL frame + sync) that changes nothing.
    static void probe_write(sqlite3* raw, const std::filesystem::path& file) {
        if (sqlite3_db_readonly(raw, "main") == 1)
            throw std::runtime_error(file.string() +
                                     " can only be opened read-only: check the owner and mode "
                                     "of the file and of its directory");
        try {
            execute(raw, "PRAGMA user_version = " + std::to_string(latest_schema_version()));
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot write to " + file.string() + " (" + e.what() +
                                     "): is the disk full or the file read-only?");
        }
    }

    // Not ready while writes fail for reasons of the disk (full, read-only, I/O error): a real
    // write failed in the last kFailureMemory, or the same no-op write as at start fails now
    // (probed at most once a second). A small probe can pass while larger writes still fail,
    // hence the memory of real failures; it expires so that readiness comes back by itself once
    // the disk has room again, without waiting for traffic the load balancer now withholds.
    bool healthy() const override {
        const auto now = std::chrono::steady_clock::now();
        const auto failed_at = last_io_failure_.load(std::memory_order_relaxed);
        if (failed_at != 0 && now.time_since_epoch().count() - failed_at <
                                  std::chrono::steady_clock::duration(kFailureMemory).count())
            return false;
        std::lock_guard lock(mutex_);
        if (now - last_probe_ < std::chrono::seconds(1)) return last_probe_ok_;
        last_probe_ = now;
        try {
            execute(db(), "PRAGMA user_version = " + std::to_string(latest_schema_version()));
            last_probe_ok_ = true;
        } catch (const std::exception&) {
            last_probe_ok_ = false;
        }
        return last_probe_ok_;
    }

    void insert_room(const Room& room) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        write_new_room(room);
        transaction.commit();
    }

    InsertOutcome insert_room_within_quota(const Room& room, std::size_t max_rooms) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        if (count_rows(db(), "rooms") >= max_rooms) return InsertOutcome::QuotaExceeded;
        write_new_room(room);
        transaction.commit();
        return InsertOutcome::Inserted;
    }

    bool update_room(const Room& room) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        if (!replace_room(room)) return false;
        transaction.commit();
        return true;
    }

    std::optional<Room> modify_room(std::string_view id,
                                    const std::function<void(Room&)>& change) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        auto room = read_room(id);
        if (!room) return std::nullopt;
        change(*room);
        replace_room(*room);
        transaction.commit();
        return room;
    }

    std::optional<Room> find_room(std::string_view id) const override {
        std::lock_guard lock(mutex_);
        SqliteTransaction transaction(db(), Kind::Read);
        auto room = read_room(id);
        transaction.commit();
        return room;
    }

  private:
    // The write helpers run inside the caller's write transaction, with mutex_ held.
    void write_new_room(const Room& room) {
        SqliteStatement insert(
            db(),
            "INSERT INTO rooms (id, arn, name, create_time, update_time, max_len, "
            "max_rate, review_uri, review_fallback) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        bind_room_fields(insert, room);
        insert.run();
        write_room_links(db(), room);
        write_tags(db(), room.arn, room.tags);
    }

    // False when the room is gone (deleted meanwhile: nothing to replace).
    bool replace_room(const Room& room) {
        const auto old_arn = stored_arn(db(), "rooms", room.id);
        if (!old_arn) return false;
        SqliteStatement update(db(),
                               "UPDATE rooms SET arn = ?2, name = ?3, create_time = ?4, "
                               "update_time = ?5, max_len = ?6, max_rate = ?7, review_uri = ?8, "
                               "review_fallback = ?9 WHERE id = ?1");
        bind_room_fields(update, room);
        update.run();
        SqliteStatement(db(), "DELETE FROM room_logging_configurations WHERE room_id = ?")
            .bind(1, room.id)
            .run();
        write_room_links(db(), room);
        delete_tags(db(), *old_arn);
        write_tags(db(), room.arn, room.tags);
        return true;
    }

    std::optional<Room> read_room(std::string_view id) const {
        SqliteStatement query(db(), std::string(kRoomColumns) + " WHERE id = ?");
        query.bind(1, id);
        if (!query.step()) return std::nullopt;
        Room room = room_from_row(query);
        room.logging_configuration_identifiers = read_room_links(db(), room.id);
        room.tags = read_tags(db(), room.arn);
        return room;
    }

    void write_new_logging_configuration(const LoggingConfiguration& config) {
        SqliteStatement insert(db(),
                               "INSERT INTO logging_configurations (id, arn, name, create_time, "
                               "update_time, destination_type, destination_value, state) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        bind_logging_configuration_fields(insert, config);
        insert.run();
        write_tags(db(), config.arn, config.tags);
    }

    bool replace_logging_configuration(const LoggingConfiguration& config) {
        const auto old_arn = stored_arn(db(), "logging_configurations", config.id);
        if (!old_arn) return false;  // deleted meanwhile: nothing to replace
        SqliteStatement update(db(),
                               "UPDATE logging_configurations SET arn = ?2, name = ?3, "
                               "create_time = ?4, update_time = ?5, destination_type = ?6, "
                               "destination_value = ?7, state = ?8 WHERE id = ?1");
        bind_logging_configuration_fields(update, config);
        update.run();
        delete_tags(db(), *old_arn);
        write_tags(db(), config.arn, config.tags);
        return true;
    }

    std::optional<LoggingConfiguration> read_logging_configuration(std::string_view id) const {
        SqliteStatement query(db(), std::string(kLoggingConfigurationColumns) + " WHERE id = ?");
        query.bind(1, id);
        if (!query.step()) return std::nullopt;
        LoggingConfiguration config = logging_configuration_from_row(query);
        config.tags = read_tags(db(), config.arn);
        return config;
    }

  public:
    bool delete_room(std::string_view id) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        const auto arn = stored_arn(db(), "rooms", id);
        if (!arn) return false;
        // Links would also go by ON DELETE CASCADE; deleting them here does not rely on it.
        SqliteStatement(db(), "DELETE FROM room_logging_configurations WHERE room_id = ?")
            .bind(1, id)
            .run();
        SqliteStatement(db(), "DELETE FROM rooms WHERE id = ?").bind(1, id).run();
        delete_tags(db(), *arn);
        transaction.commit();
        return true;
    }

    std::vector<Room> list_rooms() const override {
        std::lock_guard lock(mutex_);
        SqliteTransaction transaction(db(), Kind::Read);
        std::vector<Room> rooms;
        {
            SqliteStatement query(db(), kRoomColumns);
            while (query.step()) rooms.push_back(room_from_row(query));
        }
        std::unordered_map<std::string_view, Room*> by_id;
        for (Room& room : rooms) by_id.emplace(room.id, &room);
        SqliteStatement links(db(),
                              "SELECT room_id, logging_configuration_arn "
                              "FROM room_logging_configurations ORDER BY room_id, position");
        while (links.step()) {
            if (auto it = by_id.find(links.text(0)); it != by_id.end()) {
                it->second->logging_configuration_identifiers.push_back(links.text(1));
            }
        }
        attach_all_tags(db(), "rooms", rooms);
        transaction.commit();
        return rooms;
    }

    void insert_logging_configuration(const LoggingConfiguration& config) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        write_new_logging_configuration(config);
        transaction.commit();
    }

    InsertOutcome insert_logging_configuration_within_quota(
        const LoggingConfiguration& config, std::size_t max_configurations) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        if (count_rows(db(), "logging_configurations") >= max_configurations) {
            return InsertOutcome::QuotaExceeded;
        }
        write_new_logging_configuration(config);
        transaction.commit();
        return InsertOutcome::Inserted;
    }

    void update_logging_configuration(const LoggingConfiguration& config) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        if (replace_logging_configuration(config)) transaction.commit();
    }

    std::optional<LoggingConfiguration> modify_logging_configuration(
        std::string_view id, const std::function<void(LoggingConfiguration&)>& change) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        auto config = read_logging_configuration(id);
        if (!config) return std::nullopt;
        change(*config);
        replace_logging_configuration(*config);
        transaction.commit();
        return config;
    }

    std::optional<LoggingConfiguration> find_logging_configuration(
        std::string_view id) const override {
        std::lock_guard lock(mutex_);
        SqliteTransaction transaction(db(), Kind::Read);
        auto config = read_logging_configuration(id);
        transaction.commit();
        return config;
    }

    DeleteOutcome delete_logging_configuration(std::string_view id) override {
        std::lock_guard lock(mutex_);
        WriteTransaction transaction(db(), last_io_failure_);
        const auto arn = stored_arn(db(), "logging_configurations", id);
        if (!arn) return DeleteOutcome::NotFound;
        SqliteStatement in_use(db(),
                               "SELECT 1 FROM room_logging_configurations "
                               "WHERE logging_configuration_arn = ? LIMIT 1");
        in_use.bind(1, *arn);
        if (in_use.step()) return DeleteOutcome::InUse;
        SqliteStatement(db(), "DELETE FROM logging_configurations WHERE id = ?").bind(1, id).run();
        delete_tags(db(), *arn);
        transaction.commit();
        return DeleteOutcome::Deleted;
    }

    std::vector<LoggingConfiguration> list_logging_configurations() const override {
        std::lock_guard lock(mutex_);
        SqliteTransaction transaction(db(), Kind::Read);
        std::vector<LoggingConfiguration> configs;
        {
            SqliteStatement query(db(), kLoggingConfigurationColumns);
            while (query.step()) configs.push_back(logging_configuration_from_row(query));
        }
        attach_all_tags(db(), "logging_configurations", configs);
        transaction.commit();
        return configs;
    }

    std::size_t count_logging_configurations() const override {
        std::lock_guard lock(mutex_);
        return count_rows(db(), "logging_configurations");
    }

    std::size_t count_rooms() const override {
        std::lock_guard lock(mutex_);
        return count_rows(db(), "rooms");
    }

  private:
    sqlite3* db() const { return db_.get(); }

    // One connection behind one mutex: the control plane makes a few requests a second, so
    // serialising them is simpler than a pool and has no cross-connection lock contention.
    mutable std::mutex mutex_;
    // healthy(): the last probe's result, and when it ran (at most one probe write a second).
    mutable std::chrono::steady_clock::time_point last_probe_{};
    mutable bool last_probe_ok_ = true;
    // steady_clock ticks of the last write that failed for reasons of the disk; 0 = none.
    std::atomic<std::int64_t> last_io_failure_{0};
    Connection db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& database_file) {
    return std::make_unique<SqliteStore>(database_file);
}

}  // namespace parley::store
