// What recording a message in the history costs (docs/performance.md, "Message history"):
// RoomHistory::append on the hot path (wall time per call, on the calling thread) and the
// process CPU per message including the SQLite writer thread's batched commits.
// Build and run: see docs/performance.md.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "messaging/room_history.hpp"
#include "store/history_log.hpp"
#include "store/sqlite_store.hpp"

namespace {
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
    const int messages = argc > 1 ? std::stoi(argv[1]) : 200000;
    const int rooms = argc > 2 ? std::stoi(argv[2]) : 10;
    const bool with_log = !(argc > 3 && std::string(argv[3]) == "memory-only");
    const int rate = argc > 4 ? std::stoi(argv[4]) : 0;  // messages/s; 0: as fast as possible
    auto dir = std::filesystem::temp_directory_path() / "parley-history-bench";
    std::filesystem::remove_all(dir);
    parley::store::open_sqlite_store(dir / "parley.db");
    parley::store::SqliteHistoryLog log(dir / "parley.db", 100, 1440LL * 60 * 1'000'000'000);
    parley::messaging::RoomHistory history({}, with_log ? &log : nullptr);
    // A 100-character message as message_json builds it (about 250 bytes).
    std::string body =
        R"(","RequestId":"rq-1","Attributes":null,"Content":")" + std::string(100, 'x') +
        R"(","SendTime":"2026-11-27T17:00:00.123456789Z","Sender":{"UserId":"user-1","Attributes":{}}})";
    // Built first: only append is timed.
    std::vector<std::string> jsons, room_ids;
    for (int i = 0; i < messages; ++i) {
        char id[13];
        std::snprintf(id, sizeof id, "%012d", i);
        jsons.push_back(std::string(R"({"Type":"MESSAGE","Id":")") + id + body);
        room_ids.push_back("room" + std::to_string(i % rooms));
    }
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    double busy_ns = 0;  // time inside append() only
    for (int i = 0; i < messages; ++i) {
        if (rate > 0)
            std::this_thread::sleep_until(t0 + std::chrono::microseconds(1'000'000LL * i / rate));
        const auto a = std::chrono::steady_clock::now();
        history.append(room_ids[i], jsons[i],
                       std::chrono::system_clock::now().time_since_epoch().count());
        busy_ns +=
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - a).count();
    }
    const auto t1 = std::chrono::steady_clock::now();
    log.flush();
    const double cpu1 = cpu_seconds();
    (void)t1;
    const double append_ns = busy_ns / messages;
    std::printf(
        "%d messages over %d rooms (%s): append %.0f ns/message on the caller; process "
        "CPU incl. the SQLite writer %.2f us/message; %llu batches\n",
        messages, rooms, with_log ? "SQLite log" : "memory only", append_ns,
        (cpu1 - cpu0) * 1e6 / messages, static_cast<unsigned long long>(log.batches_written()));
    std::filesystem::remove_all(dir);
}
