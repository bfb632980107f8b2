#pragma once
// Chat logging (spec §4): every MESSAGE and EVENT published to a room with logging
// configurations becomes a record in each configured destination, written self-hosted under
// the chat log directory (layout in log_object_layout.hpp).
//
// Delivery never waits for the disk: record() resolves destinations from an in-memory map and
// appends to a bounded queue (full: the record is dropped and counted). One writer thread
// drains it every flush interval: CloudWatch Logs and Firehose files are appended and fsync'd
// per batch; S3 objects collect up to 30 s or 1 MiB per (bucket, room), then are gzip'd and
// written whole (temporary file + rename). A destination type with an endpoint writes the same
// bytes to the upload spool instead (log_spool.hpp). stop() writes everything, so a clean shutdown
// loses nothing, and since files are only appended or created, a restart never writes a record
// twice.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "chatlog/chat_log_metrics.hpp"
#include "chatlog/log_destination.hpp"
#include "chatlog/logging_configuration_listener.hpp"
#include "model/resources.hpp"

namespace parley::chatlog {

class LogSpool;

struct ChatLogSettings {
    std::filesystem::path directory;
    std::size_t max_queued_records = 100000;
    std::size_t max_queued_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds flush_interval{2000};
    std::chrono::milliseconds s3_batch_interval{30000};
    std::size_t s3_batch_bytes = 1024 * 1024;
    // Destination types with an endpoint (--s3-endpoint...) are written to this spool instead
    // of their local files, for the uploaders (log_uploader.hpp); the others keep the files.
    std::shared_ptr<LogSpool> spool;
    std::array<bool, kDestinationTypes> spooled{};
};

class ChatLogger : public LoggingConfigurationListener {
  public:
    explicit ChatLogger(ChatLogSettings settings);
    ~ChatLogger() override;
    ChatLogger(const ChatLogger&) = delete;
    ChatLogger& operator=(const ChatLogger&) = delete;

    // The configurations that exist at start-up; later changes come through the listener.
    void load(const std::vector<model::LoggingConfiguration>& configurations);
    void start();  // starts the writer thread
    // Writes everything queued and every open S3 batch, then stops the writer. Records that
    // arrive later are dropped (counted). Safe to call twice.
    void stop();
    // Writes everything queued so far, S3 batches included, and waits for it (tests, tools).
    void flush();

    // From any thread, for a MESSAGE or EVENT `payload_json` exactly as clients received it.
    void record(const std::shared_ptr<const model::Room>& room, std::string_view type,
                const std::string& payload_json);

    void configuration_changed(const model::LoggingConfiguration& configuration) override;
    void configuration_deleted(const std::string& arn) override;
    // Whether a destination is known for this configuration ARN (cluster mode fills in those
    // another node created before their notification arrives here).
    bool knows(const std::string& arn) const;

    const ChatLogMetrics& metrics() const { return metrics_; }
    std::string render_metrics() const { return metrics_.render(); }

  private:
    struct Pending {
        std::shared_ptr<const model::Room> room;
        std::string type;
        std::string payload;
        std::int64_t observed_ms = 0;
        std::vector<LogDestination> destinations;
    };
    struct LineBatch {  // CloudWatch Logs or Firehose: one file, appended (or spool entries)
        DestinationType type;
        std::string destination, stream;  // spooled: group and stream, or delivery stream
        std::string text;
        std::uint64_t records = 0;
    };
    struct S3Batch {  // one future object
        std::string bucket, account, region, room_id;
        std::int64_t first_ms = 0;
        std::chrono::steady_clock::time_point opened;
        std::string text;
        std::uint64_t records = 0;
    };

    void run();
    void absorb(Pending& p);
    void write_lines();
    void write_s3(bool everything);
    void write_s3_batch(S3Batch& batch);
    void report_failure(DestinationType type, const std::string& error);
    void warn_dropped(DestinationType type);

    ChatLogSettings settings_;
    ChatLogMetrics metrics_;

    mutable std::shared_mutex destinations_mutex_;
    std::unordered_map<std::string, LogDestination> destinations_;  // configuration ARN ->

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::vector<Pending> queue_;
    std::size_t queued_bytes_ = 0;
    bool running_ = false;    // start() was called
    bool accepting_ = false;  // record() queues
    bool stopping_ = false;
    bool writer_exited_ = false;
    std::uint64_t flush_requested_ = 0;
    std::uint64_t flush_done_ = 0;
    std::thread writer_;

    // Writer thread only.
    std::map<std::string, LineBatch> lines_;                             // by file path
    std::map<std::pair<std::string, std::string>, S3Batch> s3_batches_;  // by (bucket, room)
    std::array<std::int64_t, kDestinationTypes> last_failure_log_ms_{};
    std::array<std::uint64_t, kDestinationTypes> suppressed_failures_{};
    std::array<std::atomic<std::int64_t>, kDestinationTypes> last_drop_log_ms_{};
};

}  // namespace parley::chatlog
