#pragma once
// Parley's persistent state: rooms, logging configurations and their tags. The control plane is
// the only caller; methods may block on disk, so they are kept off the messaging hot path.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "model/resources.hpp"

namespace parley::store {

enum class DeleteOutcome { Deleted, NotFound, InUse };

// Every method is thread-safe. Database failures (disk full, corruption, lock timeouts) are
// reported as std::runtime_error; a write either commits whole (record, links and tags) or not.
class Store {
  public:
    virtual ~Store() = default;

    // Inserting an id that already exists throws std::runtime_error.
    virtual void insert_room(const model::Room& room) = 0;
    // Replaces the room with the same id, tags and logging links included. Updating a room
    // that no longer exists does nothing (as if a concurrent delete had come just after).
    virtual void update_room(const model::Room& room) = 0;
    virtual std::optional<model::Room> find_room(std::string_view id) const = 0;
    virtual bool delete_room(std::string_view id) = 0;        // false if absent
    virtual std::vector<model::Room> list_rooms() const = 0;  // every room, in no set order

    virtual void insert_logging_configuration(const model::LoggingConfiguration& config) = 0;
    virtual void update_logging_configuration(const model::LoggingConfiguration& config) = 0;
    virtual std::optional<model::LoggingConfiguration> find_logging_configuration(
        std::string_view id) const = 0;
    // InUse when any room still lists its ARN in logging_configuration_identifiers (checked in
    // the same transaction as the delete).
    virtual DeleteOutcome delete_logging_configuration(std::string_view id) = 0;
    virtual std::vector<model::LoggingConfiguration> list_logging_configurations() const = 0;

    virtual std::size_t count_logging_configurations() const = 0;
    virtual std::size_t count_rooms() const = 0;
};

}  // namespace parley::store
