#include "messaging/room_presence.hpp"

#include <algorithm>

namespace parley::messaging {

void RoomPresence::connected(const std::string& room_id, const UserProfilePtr& who, bool listens,
                             std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto& room = rooms_[room_id];
    ++room.connections;
    if (listens) ++room.listeners;
    const std::string_view user_id = who->user_id();
    auto it = room.users.find(user_id);
    if (it == room.users.end()) {
        it = room.users
                 .insert(Member{
                     .profile = who, .connected_since_ms = now_ms, .hash = UserIdHash::of(user_id)})
                 .first;
        if (!shared_events_) note_change(room, user_id, true);
    }
    ++it->connections;
}

void RoomPresence::disconnected(const std::string& room_id, std::string_view user_id,
                                bool listens) {
    std::lock_guard lock(mutex_);
    auto r = rooms_.find(room_id);
    if (r == rooms_.end()) return;
    auto& room = r->second;
    if (room.connections > 0) --room.connections;
    if (listens && room.listeners > 0) --room.listeners;
    auto u = room.users.find(user_id);
    if (u != room.users.end() && --u->connections == 0) {
        // Noted first: `user_id` may view the profile that the erase releases.
        if (!shared_events_) note_change(room, user_id, false);
        room.users.erase(u);
    }
    if (room.connections == 0 && room.pending.empty()) rooms_.erase(r);
}

void RoomPresence::note_change(Room& room, std::string_view user_id, bool joined) {
    // Only news for a listener is kept (take_changes drops the rest): a room nobody listens to
    // keeps no second entry per arriving user.
    if (room.listeners == 0) {
        room.pending.clear();
        return;
    }
    auto p = room.pending.find(user_id);
    // Went and came back, or came and went: no news.
    if (p != room.pending.end() && p->second == (joined ? Pending::Left : Pending::Joined))
        room.pending.erase(p);
    else
        room.pending.insert_or_assign(std::string(user_id),
                                      joined ? Pending::Joined : Pending::Left);
}

void RoomPresence::note_shared_change(const std::string& room_id, const std::string& user_id,
                                      bool joined, std::size_t user_count,
                                      std::size_t connection_count) {
    std::lock_guard lock(mutex_);
    auto r = rooms_.find(room_id);
    if (r == rooms_.end() || r->second.listeners == 0) return;
    note_change(r->second, user_id, joined);
    r->second.shared_users = user_count;
    r->second.shared_connections = connection_count;
}

PresencePage RoomPresence::page(const std::string& room_id, const std::string& after_user,
                                std::size_t limit) const {
    PresencePage out;
    std::lock_guard lock(mutex_);
    auto r = rooms_.find(room_id);
    if (r == rooms_.end()) return out;
    const auto& room = r->second;
    out.connection_count = room.connections;
    out.user_count = room.users.size();
    // The members after `after_user`, the first `limit` of them by id: a pass over the room
    // and a partial sort, as the set keeps no order (a page is asked for rarely, a join often).
    std::vector<const Member*> after;
    for (const Member& m : room.users)
        if (after_user.empty() || m.user_id() > std::string_view(after_user)) after.push_back(&m);
    const std::size_t n = std::min(limit, after.size());
    auto by_id = [](const Member* a, const Member* b) { return a->user_id() < b->user_id(); };
    std::partial_sort(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(n), after.end(),
                      by_id);
    for (std::size_t i = 0; i < n; ++i)
        out.users.push_back(PresenceUser{.user_id = std::string(after[i]->user_id()),
                                         .attributes = after[i]->profile->attributes(),
                                         .connections = after[i]->connections,
                                         .connected_since_ms = after[i]->connected_since_ms});
    out.more = after.size() > n;
    return out;
}

std::vector<PresenceChanges> RoomPresence::take_changes() {
    std::vector<PresenceChanges> out;
    std::lock_guard lock(mutex_);
    for (auto it = rooms_.begin(); it != rooms_.end();) {
        auto& room = it->second;
        if (!room.pending.empty() && room.listeners > 0) {
            PresenceChanges c{
                .room_id = it->first,
                .joined = {},
                .left = {},
                .user_count = shared_events_ ? room.shared_users : room.users.size(),
                .connection_count = shared_events_ ? room.shared_connections : room.connections};
            for (const auto& [user, what] : room.pending)
                (what == Pending::Joined ? c.joined : c.left).push_back(user);
            out.push_back(std::move(c));
        }
        room.pending.clear();
        if (room.connections == 0)
            it = rooms_.erase(it);
        else
            ++it;
    }
    return out;
}

}  // namespace parley::messaging
