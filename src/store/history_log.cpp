#include "store/history_log.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <set>
#include <stdexcept>

#include "store/sqlite_statement.hpp"

namespace parley::store {

namespace {
// A batch waits at most this long: history written this late is still in memory meanwhile.
constexpr auto kBatchInterval = std::chrono::milliseconds(100);
constexpr std::int64_t kAgeTrimIntervalNs = 1'000'000'000;

std::int64_t wall_nanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

SqliteHistoryLog::SqliteHistoryLog(const std::filesystem::path& database_file,
                                   std::size_t max_per_room, std::int64_t max_age_ns)
    : max_per_room_(max_per_room), max_age_ns_(max_age_ns) {
    const int rc = sqlite3_open_v2(database_file.c_str(), &db_,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string what = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close_v2(db_);
        throw std::runtime_error("sqlite: open " + database_file.string() + ": " + what);
    }
    sqlite3_busy_timeout(db_, 5000);
    // History is a convenience, not a record of truth: in WAL mode NORMAL survives a crash of
    // the process (not a power loss) and spares an fsync per batch.
    execute(db_, "PRAGMA synchronous = NORMAL");
    thread_ = std::thread([this] { run(); });
}

SqliteHistoryLog::~SqliteHistoryLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    sqlite3_close_v2(db_);
}

std::vector<HistoryRecord> SqliteHistoryLog::load(std::int64_t now_ns) {
    std::lock_guard lock(mutex_);  // before the thread writes anything of this run
    if (max_age_ns_ > 0) {
        SqliteStatement trim(db_, "DELETE FROM room_messages WHERE send_time_ns < ?");
        trim.bind(1, now_ns - max_age_ns_).run();
    }
    // Newest max_per_room of each room, then oldest first.
    SqliteStatement query(db_,
                          "SELECT room_id, seq, message_id, send_time_ns, json FROM ("
                          " SELECT *, ROW_NUMBER() OVER (PARTITION BY room_id ORDER BY seq DESC)"
                          " AS rank FROM room_messages) WHERE rank <= ? ORDER BY room_id, seq");
    query.bind(1, static_cast<std::int64_t>(max_per_room_));
    std::vector<HistoryRecord> out;
    while (query.step()) {
        out.push_back(HistoryRecord{.room_id = query.text(0),
                                    .seq = static_cast<std::uint64_t>(query.int64(1)),
                                    .message_id = query.text(2),
                                    .send_time_ns = query.int64(3),
                                    .json = query.text(4)});
    }
    return out;
}

void SqliteHistoryLog::append(HistoryRecord record) {
    std::lock_guard lock(mutex_);
    queue_.push_back(Op{OpKind::Append, std::move(record)});
    ++queued_;
    // No notify: the writer wakes on its interval, so a busy room costs one push here.
}

void SqliteHistoryLog::remove(std::string room_id, std::string message_id) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Op{OpKind::Remove, HistoryRecord{.room_id = std::move(room_id),
                                                          .message_id = std::move(message_id)}});
        ++queued_;
    }
    wake_.notify_one();
}

void SqliteHistoryLog::drop_room(std::string room_id) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Op{OpKind::DropRoom, HistoryRecord{.room_id = std::move(room_id)}});
        ++queued_;
    }
    wake_.notify_one();
}

void SqliteHistoryLog::flush() {
    std::unique_lock lock(mutex_);
    const auto target = queued_;
    wake_.notify_one();
    written_.wait(lock, [&] { return committed_ >= target || stopping_; });
}

void SqliteHistoryLog::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, kBatchInterval);
        const bool stop = stopping_;
        std::vector<Op> ops;
        ops.swap(queue_);
        const auto upto = queued_;
        lock.unlock();
        try {
            write_batch(ops, wall_nanos());
        } catch (const std::exception& e) {
            // The messages stay in memory; only their persistence is lost.
            spdlog::warn("message history: writing {} change(s) failed: {}", ops.size(), e.what());
        }
        lock.lock();
        committed_ = upto;
        written_.notify_all();
        if (stop) return;
    }
}

void SqliteHistoryLog::write_batch(std::vector<Op>& ops, std::int64_t now_ns) {
    const bool age_trim = max_age_ns_ > 0 && now_ns - last_age_trim_ns_ >= kAgeTrimIntervalNs;
    if (ops.empty() && (!age_trim || touched_.empty())) return;
    SqliteTransaction transaction(db_, SqliteTransaction::Kind::Write);
    SqliteStatement insert(db_,
                           "INSERT OR REPLACE INTO room_messages "
                           "(room_id, seq, message_id, send_time_ns, json) VALUES (?, ?, ?, ?, ?)");
    SqliteStatement remove(db_, "DELETE FROM room_messages WHERE room_id = ? AND message_id = ?");
    SqliteStatement drop(db_, "DELETE FROM room_messages WHERE room_id = ?");
    std::map<std::string, std::uint64_t> newest;  // room -> highest seq written in this batch
    for (auto& op : ops) {
        auto& r = op.record;
        switch (op.kind) {
            case OpKind::Append:
                insert.bind(1, r.room_id)
                    .bind(2, static_cast<std::int64_t>(r.seq))
                    .bind(3, r.message_id)
                    .bind(4, r.send_time_ns)
                    .bind(5, r.json)
                    .run();
                insert.reset();
                newest[r.room_id] = r.seq;
                if (max_age_ns_ > 0) touched_.insert(r.room_id);
                break;
            case OpKind::Remove:
                remove.bind(1, r.room_id).bind(2, r.message_id).run();
                remove.reset();
                break;
            case OpKind::DropRoom:
                drop.bind(1, r.room_id).run();
                drop.reset();
                newest.erase(r.room_id);
                break;
        }
    }
    SqliteStatement trim(db_, "DELETE FROM room_messages WHERE room_id = ? AND seq <= ?");
    for (const auto& [room, seq] : newest) {
        if (seq <= max_per_room_) continue;
        trim.bind(1, room).bind(2, static_cast<std::int64_t>(seq - max_per_room_)).run();
        trim.reset();
    }
    if (age_trim) {
        // The rooms written to since the last pass; a quiet room's expired rows stay until it
        // is written to again or the next start (load() trims them all), and are never served.
        SqliteStatement expire(db_,
                               "DELETE FROM room_messages WHERE room_id = ? AND send_time_ns < ?");
        for (const auto& room : touched_) {
            expire.bind(1, room).bind(2, now_ns - max_age_ns_).run();
            expire.reset();
        }
        touched_.clear();
        last_age_trim_ns_ = now_ns;
    }
    transaction.commit();
    ++batches_;
}

}  // namespace parley::store
