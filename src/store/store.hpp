#pragma once
// Parley's persistent state: rooms, logging configurations and their tags. The control plane is
// the only caller; methods may block on disk or network, so they are kept off the messaging hot
// path. Two implementations: SQLite (one node) and PostgreSQL (many nodes on one database).
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/resources.hpp"

namespace parley::store {

enum class DeleteOutcome { Deleted, NotFound, InUse };

// One page of ListRooms: every given filter must match. Rooms come newest update first, ties
// by id (bytewise), strictly after `after` (the last room of the previous page).
struct RoomPageQuery {
    std::optional<std::string> name{};
    std::optional<std::string> review_handler_uri{};  // "" matches rooms without a handler
    std::optional<std::string> logging_configuration_arn{};
    std::optional<std::pair<model::EpochMillis, std::string>> after{};
    std::size_t limit = 50;
};
enum class InsertOutcome { Inserted, QuotaExceeded };

// The database cannot be reached (connection refused or lost, server shutting down). The
// operation did not happen; the control plane answers 503 so that clients retry.
class Unavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A write named a logging configuration that does not exist (any more): deleted by another
// request between the caller's check and the write. Nothing was written.
class MissingReference : public std::runtime_error {
  public:
    explicit MissingReference(std::string arn)
        : std::runtime_error("logging configuration " + arn + " does not exist"),
          arn(std::move(arn)) {}
    std::string arn;
};

// Every method is thread-safe. Database failures (disk full, corruption, lock timeouts) are
// reported as std::runtime_error (Unavailable when the database cannot be reached); a write
// either commits whole (record, links and tags) or not. Writes that name logging configurations
// check, in the same transaction, that they exist (MissingReference otherwise).
class Store {
  public:
    virtual ~Store() = default;

    // Inserting an id that already exists throws std::runtime_error.
    virtual void insert_room(const model::Room& room) = 0;
    // Inserts only while fewer than `max_rooms` rooms exist; count and insert are one atomic
    // step for every node sharing the database.
    virtual InsertOutcome insert_room_within_quota(const model::Room& room,
                                                   std::size_t max_rooms) = 0;
    // Replaces the room with the same id, tags and logging links included. Updating a room
    // that no longer exists does nothing (as if a concurrent delete had come just after) and
    // returns false.
    virtual bool update_room(const model::Room& room) = 0;
    // Read-modify-write in one transaction that locks the room's row: `change` sees the
    // committed room and edits it (it may throw to abandon the write). Returns the room as
    // written, or nullopt when there is no room with that id.
    virtual std::optional<model::Room> modify_room(
        std::string_view id, const std::function<void(model::Room&)>& change) = 0;
    virtual std::optional<model::Room> find_room(std::string_view id) const = 0;
    virtual bool delete_room(std::string_view id) = 0;        // false if absent
    virtual std::vector<model::Room> list_rooms() const = 0;  // every room, in no set order
    // At most query.limit rooms. This default filters list_rooms() in memory; PostgreSQL
    // answers it with one indexed query.
    virtual std::vector<model::Room> list_rooms_page(const RoomPageQuery& query) const;

    virtual void insert_logging_configuration(const model::LoggingConfiguration& config) = 0;
    virtual InsertOutcome insert_logging_configuration_within_quota(
        const model::LoggingConfiguration& config, std::size_t max_configurations) = 0;
    virtual void update_logging_configuration(const model::LoggingConfiguration& config) = 0;
    // As modify_room, for a logging configuration.
    virtual std::optional<model::LoggingConfiguration> modify_logging_configuration(
        std::string_view id, const std::function<void(model::LoggingConfiguration&)>& change) = 0;
    virtual std::optional<model::LoggingConfiguration> find_logging_configuration(
        std::string_view id) const = 0;
    // InUse when any room still lists its ARN in logging_configuration_identifiers (checked in
    // the same transaction as the delete, against rooms being written concurrently too).
    virtual DeleteOutcome delete_logging_configuration(std::string_view id) = 0;
    virtual std::vector<model::LoggingConfiguration> list_logging_configurations() const = 0;

    virtual std::size_t count_logging_configurations() const = 0;
    virtual std::size_t count_rooms() const = 0;

    // True when the database was reachable at the last attempt (readiness probe).
    virtual bool healthy() const { return true; }
    // True when other processes may write the same database (PostgreSQL): in-memory caches
    // must then be refreshed from it rather than trusted.
    virtual bool shared() const { return false; }
};

}  // namespace parley::store
