#pragma once
// Persistence of the rooms' message history (the ?history=N backfill and ListRoomMessages) in
// the SQLite database under --data-dir. Writes never run on the messaging hot path: they are
// queued and a background thread commits them in batches (one transaction per batch), trimming
// each room to its newest messages and dropping those past the age limit as it goes.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;

namespace parley::store {

struct HistoryRecord {
    std::string room_id{};
    std::uint64_t seq = 0;  // orders one room's messages
    std::string message_id{};
    std::int64_t send_time_ns = 0;
    std::string json{};  // the MESSAGE frame's payload exactly as delivered
};

class SqliteHistoryLog {
  public:
    // The database must already carry the room_messages table (schema version 2 or later).
    // `max_age_ns` 0: no age limit.
    SqliteHistoryLog(const std::filesystem::path& database_file, std::size_t max_per_room,
                     std::int64_t max_age_ns);
    ~SqliteHistoryLog();  // writes what is queued, then stops the thread
    SqliteHistoryLog(const SqliteHistoryLog&) = delete;
    SqliteHistoryLog& operator=(const SqliteHistoryLog&) = delete;

    // At start: every room's kept messages, within the limits, ordered by room then seq.
    std::vector<HistoryRecord> load(std::int64_t now_ns);

    // Queued; any thread.
    void append(HistoryRecord record);
    void remove(std::string room_id, std::string message_id);
    void drop_room(std::string room_id);
    // Blocks until everything queued before the call is committed (tests, shutdown).
    void flush();

    std::uint64_t batches_written() const { return batches_; }

  private:
    enum class OpKind { Append, Remove, DropRoom };
    struct Op {
        OpKind kind;
        HistoryRecord record;  // room_id (+ message_id for Remove) for the other kinds
    };
    void run();
    void write_batch(std::vector<Op>& ops, std::int64_t now_ns);

    sqlite3* db_ = nullptr;
    std::size_t max_per_room_;
    std::int64_t max_age_ns_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable written_;
    std::vector<Op> queue_;
    std::uint64_t queued_ = 0, committed_ = 0;  // op counters, for flush()
    bool stopping_ = false;
    std::uint64_t batches_ = 0;
    std::int64_t last_age_trim_ns_ = 0;
    std::set<std::string> touched_;  // rooms appended to since the last age trim (writer thread)
    std::thread thread_;
};

}  // namespace parley::store
