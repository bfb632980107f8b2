#pragma once
// Each room's recent MESSAGE frames, exactly as delivered, bounded by count and age
// (--history-messages, --history-minutes): what a client joining with ?history=N is sent first
// and what ListRoomMessages pages through. Kept in memory for the hot path; when a persistence
// log is given (SQLite, one node), every change is also queued to it, and restore() reloads the
// kept messages at start.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/history_log.hpp"

namespace parley::messaging {

struct HistoryLimits {
    std::size_t max_messages = 100;
    std::int64_t max_age_ns = std::int64_t{1440} * 60 * 1'000'000'000;
    bool enabled() const { return max_messages > 0 && max_age_ns > 0; }
};

struct HistoryEntry {
    std::uint64_t seq = 0;  // a room's messages in delivery order, from 1
    std::string message_id;
    std::int64_t time_ns = 0;  // when it was delivered (SendTime, give or take milliseconds)
    std::shared_ptr<const std::string> json;
};

// The "Id" of a MESSAGE payload as built by message_json (it always comes second), or "".
std::string_view message_id_of(std::string_view message_json);

class RoomHistory {
  public:
    RoomHistory(HistoryLimits limits, store::SqliteHistoryLog* log);

    const HistoryLimits& limits() const { return limits_; }
    void restore(std::vector<store::HistoryRecord> records);

    // Thread-safe. Records a MESSAGE as delivered and returns its seq.
    std::uint64_t append(const std::string& room_id, std::string_view json, std::int64_t now_ns);
    // The seq of the room's latest message (0: none yet).
    std::uint64_t last_seq(const std::string& room_id) const;
    // The room's newest `n` messages within the age limit, oldest first.
    std::vector<HistoryEntry> tail(const std::string& room_id, std::size_t n,
                                   std::int64_t now_ns) const;
    // Newest first: messages with seq < before_seq (0: from the newest) whose time lies in
    // [start_ns, end_ns], at most `limit`.
    std::vector<HistoryEntry> page(const std::string& room_id, std::uint64_t before_seq,
                                   std::size_t limit, std::int64_t start_ns, std::int64_t end_ns,
                                   std::int64_t now_ns) const;
    // A deleted message (DELETE_MESSAGE / DeleteMessage): gone from later backfills and pages.
    bool remove(const std::string& room_id, std::string_view message_id);
    void drop_room(const std::string& room_id);  // DeleteRoom

  private:
    struct Room {
        std::deque<HistoryEntry> entries;  // ascending seq
        std::uint64_t next_seq = 1;
    };
    HistoryLimits limits_;
    store::SqliteHistoryLog* log_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Room> rooms_;
};

}  // namespace parley::messaging
