#include "messaging/room_catalog.hpp"

#include <mutex>

namespace parley::messaging {

void RoomCatalog::put(model::Room room) {
    auto ptr = std::make_shared<const model::Room>(std::move(room));
    std::unique_lock lock(mutex_);
    rooms_[ptr->id] = std::move(ptr);
}

void RoomCatalog::erase(std::string_view id) {
    std::unique_lock lock(mutex_);
    rooms_.erase(std::string(id));
}

RoomPtr RoomCatalog::find(std::string_view id) const {
    std::shared_lock lock(mutex_);
    auto it = rooms_.find(std::string(id));
    return it == rooms_.end() ? nullptr : it->second;
}

RoomPtr RoomCatalog::find_or_load(std::string_view id) const {
    if (auto room = find(id)) return room;
    return loader_ ? loader_(id) : nullptr;
}

std::vector<RoomPtr> RoomCatalog::snapshot() const {
    std::shared_lock lock(mutex_);
    std::vector<RoomPtr> out;
    out.reserve(rooms_.size());
    for (const auto& [id, room] : rooms_) out.push_back(room);
    return out;
}

std::size_t RoomCatalog::size() const {
    std::shared_lock lock(mutex_);
    return rooms_.size();
}

}  // namespace parley::messaging
