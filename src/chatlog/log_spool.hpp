#pragma once
// The on-disk spool between the chat log writer and the uploaders of destinations that have an
// endpoint (--s3-endpoint, --logs-endpoint, --firehose-endpoint). Each entry is one upload:
//   <spool>/<type>/<destination>/<sequence>.<stream>
// where destination is the bucket, log group or delivery stream, stream the S3 object key or the
// CloudWatch log stream name ("-" for Firehose), both path_component()-encoded, and sequence a
// zero-padded, ever-increasing number (microseconds since the epoch at creation). An S3 entry
// holds the gzip'd object byte for byte; a CloudWatch Logs or Firehose entry holds the record
// lines of one API call. Entries are written whole and fsync'd (write_atomically) before any
// upload is tried, and removed only after the destination acknowledged them, so a restart
// resumes from the files alone. Bounded by max_bytes: adding beyond it removes the oldest
// entries not being uploaded (counted as dropped).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "chatlog/destination_metrics.hpp"
#include "chatlog/log_destination.hpp"

namespace parley::chatlog {

struct SpoolEntry {
    DestinationType type = DestinationType::S3;
    std::string destination;
    std::string stream;
    std::uint64_t sequence = 0;
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
    std::filesystem::path path;
};

class LogSpool {
  public:
    LogSpool(std::filesystem::path directory, std::uint64_t max_bytes, DestinationMetrics& metrics);

    // Indexes the entries a previous run left (temporary files are removed). Returns how many.
    std::size_t scan();

    // Writes a new entry durably. Returns an error, empty on success.
    std::string add(DestinationType type, const std::string& destination, const std::string& stream,
                    std::uint64_t records, std::string_view data);

    // The oldest unclaimed entry of `type` whose destination is `ready`; it stays claimed (never
    // dropped, never handed out again) until finish().
    std::optional<SpoolEntry> claim(DestinationType type,
                                    const std::function<bool(const std::string&)>& ready);
    std::string read(const SpoolEntry& entry, std::string& data) const;
    // Replaces a claimed entry's content with what is left to send (partial success).
    std::string rewrite(SpoolEntry& entry, std::string_view data, std::uint64_t records);
    // delivered: the entry is removed; otherwise it is released for a later attempt.
    void finish(const SpoolEntry& entry, bool delivered);
    // Removes a claimed entry that can never be sent (unreadable), counted as dropped.
    void discard(const SpoolEntry& entry);

    // Sleeps until an entry of `type` is added, `until` passes or close() is called.
    void wait(DestinationType type, std::chrono::steady_clock::time_point until);
    void close();  // wakes every waiter; wait() returns at once from now on
    bool closed() const;

    std::uint64_t bytes() const;
    std::size_t entries() const;
    std::size_t entries(DestinationType type) const;
    const std::filesystem::path& directory() const { return directory_; }

  private:
    void remove_locked(std::map<std::uint64_t, SpoolEntry>::iterator it);
    void enforce_bound_locked(std::uint64_t keep);

    std::filesystem::path directory_;
    std::uint64_t max_bytes_;
    DestinationMetrics& metrics_;
    mutable std::mutex mutex_;
    std::condition_variable added_;
    std::map<std::uint64_t, SpoolEntry> entries_;  // by sequence: oldest first
    std::set<std::uint64_t> claimed_;
    std::uint64_t bytes_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::uint64_t generation_ = 0;  // bumped by add(), so a waiter sees it
    bool closed_ = false;
};

// Record count of an entry's content: lines (gunzip'd first for S3).
std::uint64_t count_spooled_records(DestinationType type, std::string_view data);

}  // namespace parley::chatlog
