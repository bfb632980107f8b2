#pragma once
// The live, in-memory view of every room's settings. The control plane writes it after each
// committed change; token minting and the messaging edge read it without touching the store.
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
    // A copy of the pointer set: callers can sort and filter without holding the lock.
    std::vector<RoomPtr> snapshot() const;
    std::size_t size() const;

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, RoomPtr> rooms_;
};

}  // namespace parley::messaging
