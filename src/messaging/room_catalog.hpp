#pragma once
// The live, in-memory view of every room's settings. The control plane writes it after each
// committed change; token minting and the messaging edge read it without touching the store.
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/resources.hpp"

namespace parley::messaging {

using RoomPtr = std::shared_ptr<const model::Room>;

class RoomCatalog {
  public:
    void put(model::Room room);
    void erase(std::string_view id);
    RoomPtr find(std::string_view id) const;
    // find(), and on a miss asks the loader (when one is set): with a shared store, another
    // node may have created the room a moment ago, before its notification arrived here. Used
    // where a miss is an answer to a client (CreateChatToken, chat connect), never per message.
    RoomPtr find_or_load(std::string_view id) const;
    // Set once, before serving. The loader returns the stored room (and caches it) or null.
    void set_loader(std::function<RoomPtr(std::string_view id)> loader) {
        loader_ = std::move(loader);
    }
    // A copy of the pointer set: callers can sort and filter without holding the lock.
    std::vector<RoomPtr> snapshot() const;
    std::size_t size() const;

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, RoomPtr> rooms_;
    std::function<RoomPtr(std::string_view id)> loader_;
};

}  // namespace parley::messaging
