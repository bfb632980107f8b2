#pragma once
// Keeps the RoomCatalog equal to a shared store (PostgreSQL, written by every node). Every
// catalog change goes through here, reading the store under one mutex, so the catalog ends up
// with the latest committed version of a room whatever order the refreshes (this node's own
// writes, notifications from other nodes, read-through on a miss) run in.
#include <functional>
#include <mutex>
#include <string_view>

#include "messaging/live_room_control.hpp"
#include "messaging/room_catalog.hpp"
#include "store/store.hpp"

namespace parley::control {

class RoomSync {
  public:
    RoomSync(store::Store& store, messaging::RoomCatalog& rooms) : store_(store), rooms_(rooms) {}
    // Connected chat sessions are told about updates and deletions (may be null).
    void set_live(messaging::LiveRoomControl* live) { live_ = live; }
    // Called with each room about to be put into the catalog (new or changed). Cluster mode
    // uses it to load logging configurations the room names that this node has not heard of
    // yet (created on another node, notification still on its way). Set before serving.
    void set_on_loaded(std::function<void(const model::Room&)> on_loaded) {
        on_loaded_ = std::move(on_loaded);
    }

    // Reads one room from the store and applies it: put when present, erase when gone. Returns
    // what the store holds (null when gone). Throws what the store throws.
    messaging::RoomPtr refresh(std::string_view id);
    // Rereads every room (at start and after the change feed reconnects).
    void resync_all();

  private:
    messaging::RoomPtr apply(std::string_view id, std::optional<model::Room> stored);

    store::Store& store_;
    messaging::RoomCatalog& rooms_;
    messaging::LiveRoomControl* live_ = nullptr;
    std::function<void(const model::Room&)> on_loaded_;
    std::mutex mutex_;
};

}  // namespace parley::control
