#include "store/pg_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "store/destination_codec.hpp"
#include "store/pg_schema_migrations.hpp"

namespace parley::store {
namespace {

using model::LoggingConfiguration;
using model::Room;
using model::Tags;

// ---- reading: one statement per read, so a record, its links and its tags come from one
// snapshot (the subqueries aggregate them as JSON, which is simple to decode) ----

constexpr const char* kRoomSelect =
    "SELECT r.id, r.arn, r.name, r.create_time, r.update_time, r.max_len, r.max_rate, "
    "r.review_uri, r.review_fallback, "
    "(SELECT json_agg(l.logging_configuration_arn ORDER BY l.position) "
    "   FROM room_logging_configurations l WHERE l.room_id = r.id), "
    "(SELECT json_object_agg(t.key, t.value) FROM tags t WHERE t.resource_arn = r.arn) "
    "FROM rooms r";

constexpr const char* kLoggingConfigurationSelect =
    "SELECT c.id, c.arn, c.name, c.create_time, c.update_time, c.destination_type, "
    "c.destination_value, c.state, "
    "(SELECT json_object_agg(t.key, t.value) FROM tags t WHERE t.resource_arn = c.arn) "
    "FROM logging_configurations c";

Tags tags_from_json(const PgResult& rows, int row, int column) {
    Tags tags;
    if (rows.is_null(row, column)) return tags;
    const boost::json::value parsed = boost::json::parse(rows.text(row, column));
    for (const auto& [key, value] : parsed.as_object()) {
        tags.emplace(std::string(key), std::string(value.as_string()));
    }
    return tags;
}

Room room_from_row(const PgResult& rows, int row) {
    Room room;
    room.id = rows.text(row, 0);
    room.arn = rows.text(row, 1);
    room.name = rows.text(row, 2);
    room.create_time = rows.int64(row, 3);
    room.update_time = rows.int64(row, 4);
    room.maximum_message_length = static_cast<int>(rows.int64(row, 5));
    room.maximum_message_rate_per_second = static_cast<int>(rows.int64(row, 6));
    if (!rows.is_null(row, 7)) {
        room.message_review_handler =
            model::MessageReviewHandler{rows.text(row, 7), rows.text(row, 8)};
    }
    if (!rows.is_null(row, 9)) {
        const boost::json::value parsed = boost::json::parse(rows.text(row, 9));
        for (const auto& arn : parsed.as_array()) {
            room.logging_configuration_identifiers.emplace_back(arn.as_string());
        }
    }
    room.tags = tags_from_json(rows, row, 10);
    return room;
}

LoggingConfiguration logging_configuration_from_row(const PgResult& rows, int row) {
    LoggingConfiguration config;
    config.id = rows.text(row, 0);
    config.arn = rows.text(row, 1);
    config.name = rows.text(row, 2);
    config.create_time = rows.int64(row, 3);
    config.update_time = rows.int64(row, 4);
    config.destination_configuration = decode_destination(rows.text(row, 5), rows.text(row, 6));
    config.state = rows.text(row, 7);
    config.tags = tags_from_json(rows, row, 8);
    return config;
}

// ---- writing: helpers run inside the caller's transaction ----

void notify(PgConnection& conn, std::string_view kind, std::string_view id) {
    conn.exec("SELECT pg_notify($1, $2)",
              {std::string(kChangeChannel), std::string(kind) + " " + std::string(id)});
}

void replace_tags(PgConnection& conn, const std::string& arn, const Tags& tags) {
    conn.exec("DELETE FROM tags WHERE resource_arn = $1", {arn});
    if (tags.empty()) return;
    std::vector<std::string> keys, values;
    for (const auto& [key, value] : tags) {
        keys.push_back(key);
        values.push_back(value);
    }
    conn.exec(
        "INSERT INTO tags (resource_arn, key, value) "
        "SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)",
        {arn, pg_text_array(keys), pg_text_array(values)});
}

// Locks every named logging configuration against deletion until this transaction ends (FOR
// KEY SHARE conflicts with the delete's FOR UPDATE), so "in use" is decided by the database
// even when another node deletes the configuration at this moment. MissingReference when one
// is gone.
void lock_logging_configurations(PgConnection& conn, const std::vector<std::string>& arns) {
    if (arns.empty()) return;
    auto found = conn.exec(
        "SELECT arn FROM logging_configurations WHERE arn = ANY($1::text[]) FOR KEY SHARE",
        {pg_text_array(arns)});
    for (const auto& arn : arns) {
        bool present = false;
        for (int i = 0; i < found.rows() && !present; ++i) present = found.text(i, 0) == arn;
        if (!present) throw MissingReference(arn);
    }
}

std::vector<PgParam> room_params(const Room& room) {
    const auto& review = room.message_review_handler;
    return {room.id,
            room.arn,
            room.name,
            std::to_string(room.create_time),
            std::to_string(room.update_time),
            std::to_string(room.maximum_message_length),
            std::to_string(room.maximum_message_rate_per_second),
            review ? PgParam(review->uri) : std::nullopt,
            review ? review->fallback_result : std::string("ALLOW")};
}

void replace_room_links(PgConnection& conn, const Room& room) {
    conn.exec("DELETE FROM room_logging_configurations WHERE room_id = $1", {room.id});
    if (room.logging_configuration_identifiers.empty()) return;
    conn.exec(
        "INSERT INTO room_logging_configurations (room_id, position, logging_configuration_arn) "
        "SELECT $1, ord - 1, arn FROM unnest($2::text[]) WITH ORDINALITY AS t(arn, ord)",
        {room.id, pg_text_array(room.logging_configuration_identifiers)});
}

// A new record has no links or tags yet: only inserts, no deletes (fewer round trips).
void insert_room_links(PgConnection& conn, const Room& room) {
    if (room.logging_configuration_identifiers.empty()) return;
    conn.exec(
        "INSERT INTO room_logging_configurations (room_id, position, logging_configuration_arn) "
        "SELECT $1, ord - 1, arn FROM unnest($2::text[]) WITH ORDINALITY AS t(arn, ord)",
        {room.id, pg_text_array(room.logging_configuration_identifiers)});
}

void insert_tags(PgConnection& conn, const std::string& arn, const Tags& tags) {
    if (tags.empty()) return;
    std::vector<std::string> keys, values;
    for (const auto& [key, value] : tags) {
        keys.push_back(key);
        values.push_back(value);
    }
    conn.exec(
        "INSERT INTO tags (resource_arn, key, value) "
        "SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)",
        {arn, pg_text_array(keys), pg_text_array(values)});
}

void write_new_room(PgConnection& conn, const Room& room) {
    lock_logging_configurations(conn, room.logging_configuration_identifiers);
    conn.exec(
        "INSERT INTO rooms (id, arn, name, create_time, update_time, max_len, max_rate, "
        "review_uri, review_fallback) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        room_params(room));
    insert_room_links(conn, room);
    insert_tags(conn, room.arn, room.tags);
    notify(conn, "room", room.id);
}

// After this transaction's own insert: takes the quota's advisory lock (held to the commit)
// and counts. Counting after the insert keeps the serialised part short (count + commit);
// the count sees every committed row plus this transaction's own, so it is exact.
bool within_quota_after_insert(PgConnection& conn, long long lock, std::string_view table,
                               std::size_t max) {
    conn.exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(lock)});
    auto rows = conn.exec("SELECT count(*) FROM " + std::string(table));
    return static_cast<std::size_t>(rows.int64(0, 0)) <= max;
}

// Expects the room's row to be locked (SELECT ... FOR UPDATE) by this transaction.
void write_room_update(PgConnection& conn, const Room& room, const std::string& old_arn) {
    lock_logging_configurations(conn, room.logging_configuration_identifiers);
    conn.exec(
        "UPDATE rooms SET arn = $2, name = $3, create_time = $4, update_time = $5, "
        "max_len = $6, max_rate = $7, review_uri = $8, review_fallback = $9 WHERE id = $1",
        room_params(room));
    replace_room_links(conn, room);
    if (old_arn != room.arn) conn.exec("DELETE FROM tags WHERE resource_arn = $1", {old_arn});
    replace_tags(conn, room.arn, room.tags);
    notify(conn, "room", room.id);
}

std::vector<PgParam> logging_configuration_params(const LoggingConfiguration& config) {
    const auto [type, value] = encode_destination(config.destination_configuration);
    return {config.id,
            config.arn,
            config.name,
            std::to_string(config.create_time),
            std::to_string(config.update_time),
            std::string(type),
            std::string(value),
            config.state};
}

void write_new_logging_configuration(PgConnection& conn, const LoggingConfiguration& config) {
    conn.exec(
        "INSERT INTO logging_configurations (id, arn, name, create_time, update_time, "
        "destination_type, destination_value, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        logging_configuration_params(config));
    insert_tags(conn, config.arn, config.tags);
    notify(conn, "lc", config.id);
}

// The ARN is the configuration's identity (rooms reference it), so it is never rewritten.
void write_logging_configuration_update(PgConnection& conn, const LoggingConfiguration& config) {
    conn.exec(
        "UPDATE logging_configurations SET name = $3, create_time = $4, update_time = $5, "
        "destination_type = $6, destination_value = $7, state = $8 WHERE id = $1 AND arn = $2",
        logging_configuration_params(config));
    replace_tags(conn, config.arn, config.tags);
    notify(conn, "lc", config.id);
}

std::size_t count(PgConnection& conn, std::string_view table) {
    auto rows = conn.exec("SELECT count(*) FROM " + std::string(table));
    return static_cast<std::size_t>(rows.int64(0, 0));
}

// A foreign-key violation on a room's links means a configuration vanished despite the lock
// (only possible for writers that skipped it); report it like the explicit check does.
template <typename Work>
auto translate_reference_errors(const Room& room, Work&& work) {
    try {
        return work();
    } catch (const PgError& e) {
        if (e.sqlstate == "23503" && !room.logging_configuration_identifiers.empty()) {
            throw MissingReference(room.logging_configuration_identifiers.front());
        }
        throw;
    }
}

class PgStoreImpl final : public PgStore {
  public:
    PgStoreImpl(PgUrl url, std::size_t max_connections) : pool_(std::move(url), max_connections) {
        auto conn = pool_.acquire();
        migrate_pg_schema(*conn);
    }

    PgPool& pool() override { return pool_; }
    bool healthy() const override { return pool_.healthy(); }
    bool shared() const override { return true; }

    void insert_room(const Room& room) override {
        translate_reference_errors(room, [&] {
            auto conn = pool_.acquire();
            PgTransaction transaction(*conn);
            write_new_room(*conn, room);
            transaction.commit();
        });
    }

    InsertOutcome insert_room_within_quota(const Room& room, std::size_t max_rooms) override {
        return translate_reference_errors(room, [&] {
            auto conn = pool_.acquire();
            PgTransaction transaction(*conn);
            write_new_room(*conn, room);
            // Rolled back (with its NOTIFY) when over the quota.
            if (!within_quota_after_insert(*conn, kRoomQuotaLock, "rooms", max_rooms))
                return InsertOutcome::QuotaExceeded;
            transaction.commit();
            return InsertOutcome::Inserted;
        });
    }

    bool update_room(const Room& room) override {
        return translate_reference_errors(room, [&] {
            auto conn = pool_.acquire();
            PgTransaction transaction(*conn);
            auto old = conn->exec("SELECT arn FROM rooms WHERE id = $1 FOR UPDATE", {room.id});
            if (old.rows() == 0) return false;  // deleted meanwhile: nothing to replace
            write_room_update(*conn, room, old.text(0, 0));
            transaction.commit();
            return true;
        });
    }

    std::optional<Room> modify_room(std::string_view id,
                                    const std::function<void(Room&)>& change) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        // Lock first, then read: the read then sees the latest committed version.
        auto locked =
            conn->exec("SELECT arn FROM rooms WHERE id = $1 FOR UPDATE", {std::string(id)});
        if (locked.rows() == 0) return std::nullopt;
        auto rows = conn->exec(std::string(kRoomSelect) + " WHERE r.id = $1", {std::string(id)});
        Room room = room_from_row(rows, 0);
        const std::string old_arn = room.arn;
        change(room);
        translate_reference_errors(room, [&] {
            write_room_update(*conn, room, old_arn);
            transaction.commit();
        });
        return room;
    }

    std::optional<Room> find_room(std::string_view id) const override {
        auto conn = pool_.acquire();
        auto rows = conn->exec(std::string(kRoomSelect) + " WHERE r.id = $1", {std::string(id)});
        if (rows.rows() == 0) return std::nullopt;
        return room_from_row(rows, 0);
    }

    bool delete_room(std::string_view id) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        auto deleted =
            conn->exec("DELETE FROM rooms WHERE id = $1 RETURNING arn", {std::string(id)});
        if (deleted.rows() == 0) return false;
        // Links go by ON DELETE CASCADE, in this transaction.
        conn->exec("DELETE FROM tags WHERE resource_arn = $1", {deleted.text(0, 0)});
        notify(*conn, "room", id);
        transaction.commit();
        return true;
    }

    std::vector<Room> list_rooms() const override {
        auto conn = pool_.acquire();
        auto rows = conn->exec(kRoomSelect);
        std::vector<Room> rooms;
        rooms.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) rooms.push_back(room_from_row(rows, i));
        return rooms;
    }

    std::vector<Room> list_rooms_page(const RoomPageQuery& q) const override {
        // Keyset paging on (update_time DESC, id): an index scan per page, however many rooms.
        // COLLATE "C" orders ids bytewise, as the page cursor and the SQLite path do.
        const std::string sql = std::string(kRoomSelect) +
                                " WHERE ($1::text IS NULL OR r.name = $1)"
                                " AND ($2::text IS NULL OR COALESCE(r.review_uri, '') = $2)"
                                " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM "
                                "room_logging_configurations l WHERE l.room_id = r.id AND "
                                "l.logging_configuration_arn = $3))"
                                " AND ($4::bigint IS NULL OR r.update_time < $4 OR "
                                "(r.update_time = $4 AND r.id COLLATE \"C\" > $5))"
                                " ORDER BY r.update_time DESC, r.id COLLATE \"C\" LIMIT $6";
        auto conn = pool_.acquire();
        auto rows = conn->exec(
            sql, {q.name, q.review_handler_uri, q.logging_configuration_arn,
                  q.after ? PgParam(std::to_string(q.after->first)) : std::nullopt,
                  q.after ? PgParam(q.after->second) : std::nullopt, std::to_string(q.limit)});
        std::vector<Room> rooms;
        for (int i = 0; i < rows.rows(); ++i) rooms.push_back(room_from_row(rows, i));
        return rooms;
    }

    void insert_logging_configuration(const LoggingConfiguration& config) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        write_new_logging_configuration(*conn, config);
        transaction.commit();
    }

    InsertOutcome insert_logging_configuration_within_quota(
        const LoggingConfiguration& config, std::size_t max_configurations) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        write_new_logging_configuration(*conn, config);
        if (!within_quota_after_insert(*conn, kLoggingQuotaLock, "logging_configurations",
                                       max_configurations)) {
            return InsertOutcome::QuotaExceeded;
        }
        transaction.commit();
        return InsertOutcome::Inserted;
    }

    void update_logging_configuration(const LoggingConfiguration& config) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        auto locked = conn->exec("SELECT 1 FROM logging_configurations WHERE id = $1 FOR UPDATE",
                                 {config.id});
        if (locked.rows() == 0) return;  // deleted meanwhile: nothing to replace
        write_logging_configuration_update(*conn, config);
        transaction.commit();
    }

    std::optional<LoggingConfiguration> modify_logging_configuration(
        std::string_view id, const std::function<void(LoggingConfiguration&)>& change) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        auto locked = conn->exec("SELECT 1 FROM logging_configurations WHERE id = $1 FOR UPDATE",
                                 {std::string(id)});
        if (locked.rows() == 0) return std::nullopt;
        auto rows = conn->exec(std::string(kLoggingConfigurationSelect) + " WHERE c.id = $1",
                               {std::string(id)});
        LoggingConfiguration config = logging_configuration_from_row(rows, 0);
        change(config);
        write_logging_configuration_update(*conn, config);
        transaction.commit();
        return config;
    }

    std::optional<LoggingConfiguration> find_logging_configuration(
        std::string_view id) const override {
        auto conn = pool_.acquire();
        auto rows = conn->exec(std::string(kLoggingConfigurationSelect) + " WHERE c.id = $1",
                               {std::string(id)});
        if (rows.rows() == 0) return std::nullopt;
        return logging_configuration_from_row(rows, 0);
    }

    DeleteOutcome delete_logging_configuration(std::string_view id) override {
        auto conn = pool_.acquire();
        PgTransaction transaction(*conn);
        // FOR UPDATE waits for every transaction that holds the row FOR KEY SHARE (a room
        // being written with a link to it); the link check below then sees those rooms.
        auto locked = conn->exec("SELECT arn FROM logging_configurations WHERE id = $1 FOR UPDATE",
                                 {std::string(id)});
        if (locked.rows() == 0) return DeleteOutcome::NotFound;
        const std::string arn = locked.text(0, 0);
        auto in_use = conn->exec(
            "SELECT 1 FROM room_logging_configurations WHERE logging_configuration_arn = $1 "
            "LIMIT 1",
            {arn});
        if (in_use.rows() > 0) return DeleteOutcome::InUse;
        try {
            conn->exec("DELETE FROM logging_configurations WHERE id = $1", {std::string(id)});
        } catch (const PgError& e) {
            if (e.sqlstate == "23503") return DeleteOutcome::InUse;  // the constraint's verdict
            throw;
        }
        conn->exec("DELETE FROM tags WHERE resource_arn = $1", {arn});
        notify(*conn, "lc", id);
        transaction.commit();
        return DeleteOutcome::Deleted;
    }

    std::vector<LoggingConfiguration> list_logging_configurations() const override {
        auto conn = pool_.acquire();
        auto rows = conn->exec(kLoggingConfigurationSelect);
        std::vector<LoggingConfiguration> configs;
        for (int i = 0; i < rows.rows(); ++i) {
            configs.push_back(logging_configuration_from_row(rows, i));
        }
        return configs;
    }

    std::size_t count_logging_configurations() const override {
        auto conn = pool_.acquire();
        return count(*conn, "logging_configurations");
    }

    std::size_t count_rooms() const override {
        auto conn = pool_.acquire();
        return count(*conn, "rooms");
    }

  private:
    mutable PgPool pool_;
};

}  // namespace

std::unique_ptr<PgStore> open_pg_store(const PgUrl& url, std::size_t max_connections) {
    return std::make_unique<PgStoreImpl>(url, max_connections);
}

}  // namespace parley::store
