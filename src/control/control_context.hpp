#pragma once
// Everything an operation handler needs, wired once by the server.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "chatlog/logging_configuration_listener.hpp"
#include "control/page_token_codec.hpp"
#include "control/room_sync.hpp"
#include "messaging/live_room_control.hpp"
#include "messaging/room_catalog.hpp"
#include "model/api_error.hpp"
#include "model/value.hpp"
#include "store/store.hpp"
#include "token/token_sealer.hpp"

namespace parley::control {

struct ControlSettings {
    std::string region = "us-east-1";
    std::string account_id = "123456789012";
    int token_ttl_minutes = 60;  // observed on the service; capped at the session's end
    std::size_t max_rooms = 50000;
    std::size_t max_logging_configurations = 10;
};

struct ControlContext {
    ControlContext(ControlSettings s, store::Store& st, messaging::RoomCatalog& r,
                   const token::TokenSealer& t)
        : settings(std::move(s)), store(st), rooms(r), sealer(t) {}

    ControlSettings settings;
    store::Store& store;
    messaging::RoomCatalog& rooms;
    const token::TokenSealer& sealer;
    messaging::LiveRoomControl* live = nullptr;  // null until the messaging edge is wired
    // Told of logging-configuration changes (the chat logger's destination map); may be null.
    chatlog::LoggingConfigurationListener* logging_listener = nullptr;
    // Set when the store is shared with other nodes (PostgreSQL): room reads that must be
    // current go to the store, and the catalog is changed only through it. Null with SQLite.
    RoomSync* sync = nullptr;
    PageTokenCodec page_tokens;
    // Serialises this node's mutations when the store is its own (SQLite: keeps the behaviour
    // it always had). With a shared store it is not taken: the rules ("logging configuration
    // unused", quotas, read-modify-write) are enforced by the store's transactions for every
    // node alike, and this node's writes may overlap in the database.
    std::mutex write_mutex;
    std::unique_lock<std::mutex> local_write_lock() {
        return sync ? std::unique_lock<std::mutex>(write_mutex, std::defer_lock)
                    : std::unique_lock<std::mutex>(write_mutex);
    }
};

// How a deferred operation answers: called once, from any thread, with a function that builds
// the result (or throws, like an operation).
using Completion = std::function<void(std::function<model::Value()> result)>;

// Inputs of one operation: the JSON body, plus the members bound to the URL (tag operations).
struct OperationInput {
    const model::Value& body;
    std::string resource_arn;           // from /tags/{resourceArn}
    std::vector<std::string> tag_keys;  // from ?tagKeys=
    // An operation that must wait for another service (the cluster's Redis) without blocking
    // its event loop calls defer() and returns; its return value is then ignored and the answer
    // is what it later gives the Completion. Empty where the caller needs an answer at once.
    std::function<Completion()> defer = {};
};

}  // namespace parley::control
