#include "messaging/room_history.hpp"

#include <algorithm>

namespace parley::messaging {

std::string_view message_id_of(std::string_view json) {
    constexpr std::string_view kPrefix = R"({"Type":"MESSAGE","Id":")";
    if (json.substr(0, kPrefix.size()) != kPrefix) return {};
    auto rest = json.substr(kPrefix.size());
    auto end = rest.find('"');
    return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

RoomHistory::RoomHistory(HistoryLimits limits, store::SqliteHistoryLog* log)
    : limits_(limits), log_(log) {}

void RoomHistory::restore(std::vector<store::HistoryRecord> records) {
    std::lock_guard lock(mutex_);
    for (auto& r : records) {
        auto& room = rooms_[r.room_id];
        room.entries.push_back(
            HistoryEntry{.seq = r.seq,
                         .message_id = std::move(r.message_id),
                         .time_ns = r.send_time_ns,
                         .json = std::make_shared<const std::string>(std::move(r.json))});
        room.next_seq = std::max(room.next_seq, r.seq + 1);
        while (room.entries.size() > limits_.max_messages) room.entries.pop_front();
    }
}

std::uint64_t RoomHistory::append(const std::string& room_id, std::string_view json,
                                  std::int64_t now_ns) {
    auto text = std::make_shared<const std::string>(json);
    std::string id(message_id_of(json));
    std::uint64_t seq;
    {
        std::lock_guard lock(mutex_);
        auto& room = rooms_[room_id];
        seq = room.next_seq++;
        room.entries.push_back(
            HistoryEntry{.seq = seq, .message_id = id, .time_ns = now_ns, .json = text});
        if (room.entries.size() > limits_.max_messages) room.entries.pop_front();
        // Expired ones go too, so a room's memory follows its recent traffic.
        while (room.entries.front().time_ns < now_ns - limits_.max_age_ns) room.entries.pop_front();
    }
    if (log_)
        log_->append(store::HistoryRecord{.room_id = room_id,
                                          .seq = seq,
                                          .message_id = std::move(id),
                                          .send_time_ns = now_ns,
                                          .json = *text});
    return seq;
}

std::uint64_t RoomHistory::last_seq(const std::string& room_id) const {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room_id);
    return it == rooms_.end() ? 0 : it->second.next_seq - 1;
}

std::vector<HistoryEntry> RoomHistory::tail(const std::string& room_id, std::size_t n,
                                            std::int64_t now_ns) const {
    std::vector<HistoryEntry> out;
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room_id);
    if (it == rooms_.end() || n == 0) return out;
    const auto& entries = it->second.entries;
    const auto oldest = now_ns - limits_.max_age_ns;
    auto first = entries.size() > n ? entries.size() - n : 0;
    for (auto i = first; i < entries.size(); ++i)
        if (entries[i].time_ns >= oldest) out.push_back(entries[i]);
    return out;
}

std::vector<HistoryEntry> RoomHistory::page(const std::string& room_id, std::uint64_t before_seq,
                                            std::size_t limit, std::int64_t start_ns,
                                            std::int64_t end_ns, std::int64_t now_ns) const {
    std::vector<HistoryEntry> out;
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return out;
    const auto& entries = it->second.entries;
    start_ns = std::max(start_ns, now_ns - limits_.max_age_ns);
    for (auto e = entries.rbegin(); e != entries.rend() && out.size() < limit; ++e) {
        if (before_seq != 0 && e->seq >= before_seq) continue;
        if (e->time_ns < start_ns || e->time_ns > end_ns) continue;
        out.push_back(*e);
    }
    return out;
}

bool RoomHistory::remove(const std::string& room_id, std::string_view message_id) {
    bool found = false;
    {
        std::lock_guard lock(mutex_);
        auto it = rooms_.find(room_id);
        if (it != rooms_.end()) {
            auto& entries = it->second.entries;
            auto e = std::find_if(entries.begin(), entries.end(), [&](const HistoryEntry& h) {
                return h.message_id == message_id;
            });
            if (e != entries.end()) {
                entries.erase(e);
                found = true;
            }
        }
    }
    // Also when not in memory: the log may hold it still (trimmed here, not yet there).
    if (log_) log_->remove(room_id, std::string(message_id));
    return found;
}

void RoomHistory::drop_room(const std::string& room_id) {
    {
        std::lock_guard lock(mutex_);
        rooms_.erase(room_id);
    }
    if (log_) log_->drop_room(room_id);
}

}  // namespace parley::messaging
