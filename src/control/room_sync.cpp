#include "control/room_sync.hpp"

#include <string>
#include <unordered_set>

namespace parley::control {

messaging::RoomPtr RoomSync::refresh(std::string_view id) {
    std::lock_guard lock(mutex_);
    return apply(id, store_.find_room(id));
}

messaging::RoomPtr RoomSync::apply(std::string_view id, std::optional<model::Room> stored) {
    auto cached = rooms_.find(id);
    if (!stored) {
        if (cached) {
            rooms_.erase(id);
            if (live_) live_->room_deleted(std::string(id));
        }
        return nullptr;
    }
    if (cached && *cached == *stored) return cached;
    // Before the put: nothing can use the room here before what it needs is in place.
    if (on_loaded_) on_loaded_(*stored);
    rooms_.put(std::move(*stored));
    auto fresh = rooms_.find(id);
    if (cached && live_) live_->room_updated(fresh);
    return fresh;
}

void RoomSync::resync_all() {
    std::lock_guard lock(mutex_);
    auto stored = store_.list_rooms();
    std::unordered_set<std::string> present;
    for (auto& room : stored) {
        present.insert(room.id);
        std::string id = room.id;
        apply(id, std::move(room));
    }
    for (const auto& cached : rooms_.snapshot()) {
        if (!present.contains(cached->id)) apply(cached->id, std::nullopt);
    }
}

}  // namespace parley::control
