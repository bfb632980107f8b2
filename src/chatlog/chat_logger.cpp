#include "chatlog/chat_logger.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <random>

#include "chatlog/chat_log_record.hpp"
#include "chatlog/durable_file.hpp"
#include "chatlog/gzip_codec.hpp"
#include "chatlog/log_batches.hpp"
#include "chatlog/log_object_layout.hpp"
#include "chatlog/log_spool.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"

namespace parley::chatlog {

namespace {
constexpr std::int64_t kLogEveryMs = 10000;  // failure and drop warnings, per destination type
constexpr std::int64_t kHourMs = 3600 * 1000;

std::string random_hash() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}
}  // namespace

ChatLogger::ChatLogger(ChatLogSettings settings) : settings_(std::move(settings)) {}

ChatLogger::~ChatLogger() {
    stop();
}

void ChatLogger::load(const std::vector<model::LoggingConfiguration>& configurations) {
    std::unique_lock lock(destinations_mutex_);
    for (const auto& c : configurations)
        destinations_[c.arn] = destination_of(c.destination_configuration);
}

void ChatLogger::configuration_changed(const model::LoggingConfiguration& configuration) {
    std::unique_lock lock(destinations_mutex_);
    destinations_[configuration.arn] = destination_of(configuration.destination_configuration);
}

bool ChatLogger::knows(const std::string& arn) const {
    std::shared_lock lock(destinations_mutex_);
    return destinations_.contains(arn);
}

void ChatLogger::configuration_deleted(const std::string& arn) {
    std::unique_lock lock(destinations_mutex_);
    destinations_.erase(arn);
}

void ChatLogger::start() {
    std::lock_guard lock(mutex_);
    if (running_ || stopping_) return;
    running_ = true;
    accepting_ = true;
    writer_ = std::thread([this] { run(); });
}

void ChatLogger::stop() {
    {
        std::lock_guard lock(mutex_);
        accepting_ = false;
        if (!running_ || stopping_) return;  // never started, or another caller is stopping it
        stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
}

void ChatLogger::flush() {
    std::unique_lock lock(mutex_);
    if (!running_ || stopping_) return;
    auto wanted = ++flush_requested_;
    wake_.notify_one();
    flushed_.wait(lock, [&] { return flush_done_ >= wanted || writer_exited_; });
}

void ChatLogger::record(const std::shared_ptr<const model::Room>& room, std::string_view type,
                        const std::string& payload_json) {
    if (!room || room->logging_configuration_identifiers.empty()) return;
    Pending p;
    {
        std::shared_lock lock(destinations_mutex_);
        for (const auto& arn : room->logging_configuration_identifiers) {
            auto it = destinations_.find(arn);
            if (it != destinations_.end()) p.destinations.push_back(it->second);
        }
    }
    if (p.destinations.empty()) return;
    p.room = room;
    p.type = std::string(type);
    p.payload = payload_json;
    p.observed_ms = model::now_millis();

    std::unique_lock lock(mutex_);
    if (!accepting_ || queue_.size() >= settings_.max_queued_records ||
        queued_bytes_ + p.payload.size() > settings_.max_queued_bytes) {
        lock.unlock();
        for (const auto& d : p.destinations) {
            metrics_.add(metrics_.dropped, d.type);
            warn_dropped(d.type);
        }
        return;
    }
    queued_bytes_ += p.payload.size();
    queue_.push_back(std::move(p));
    metrics_.queued.fetch_add(1, std::memory_order_relaxed);
    // Half full: drain now rather than at the next interval.
    if (queue_.size() == settings_.max_queued_records / 2 ||
        (queued_bytes_ >= settings_.max_queued_bytes / 2 &&
         queued_bytes_ - queue_.back().payload.size() < settings_.max_queued_bytes / 2))
        wake_.notify_one();
}

void ChatLogger::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, settings_.flush_interval, [&] {
            return stopping_ || flush_requested_ > flush_done_ ||
                   queue_.size() >= settings_.max_queued_records / 2 ||
                   queued_bytes_ >= settings_.max_queued_bytes / 2;
        });
        std::vector<Pending> batch;
        batch.swap(queue_);
        queued_bytes_ = 0;
        const bool stopping = stopping_;
        const std::uint64_t flush_wanted = flush_requested_;
        lock.unlock();

        metrics_.queued.fetch_sub(static_cast<std::int64_t>(batch.size()),
                                  std::memory_order_relaxed);
        for (auto& p : batch) absorb(p);
        batch.clear();
        write_lines();
        write_s3(stopping || flush_wanted > flush_done_);

        lock.lock();
        flush_done_ = flush_wanted;
        flushed_.notify_all();
        if (stopping && queue_.empty()) break;
    }
    writer_exited_ = true;
    lock.unlock();
    flushed_.notify_all();
}

void ChatLogger::absorb(Pending& p) {
    const std::int64_t event_ms = payload_send_time_millis(p.payload).value_or(p.observed_ms);
    std::string line = format_chat_log_record(p.type, p.payload, event_ms);
    line += '\n';
    const auto& room = *p.room;
    for (const auto& d : p.destinations) {
        switch (d.type) {
            case DestinationType::CloudWatchLogs:
            case DestinationType::Firehose: {
                const bool spooled = settings_.spooled[static_cast<std::size_t>(d.type)];
                const std::string stream = d.type == DestinationType::Firehose
                                               ? std::string()
                                               : "aws/IVSChatLogs/1.0/room_" + room.id;
                auto path = spooled
                                ? std::filesystem::path("spool:" + std::string(type_name(d.type)) +
                                                        ":" + d.name + ":" + stream)
                            : d.type == DestinationType::Firehose
                                ? firehose_stream_path(settings_.directory, d.name)
                                : cloudwatch_stream_path(settings_.directory, d.name, room.id);
                auto& b = lines_[path.string()];
                b.type = d.type;
                b.destination = d.name;
                b.stream = stream;
                b.text += line;
                ++b.records;
                break;
            }
            case DestinationType::S3: {
                auto key = std::make_pair(d.name, room.id);
                auto it = s3_batches_.find(key);
                // An object holds one hour at most: its key is filed under the first record's.
                if (it != s3_batches_.end() &&
                    it->second.first_ms / kHourMs != event_ms / kHourMs) {
                    write_s3_batch(it->second);
                    s3_batches_.erase(it);
                    it = s3_batches_.end();
                }
                if (it == s3_batches_.end()) {
                    S3Batch fresh;
                    fresh.bucket = d.name;
                    fresh.room_id = room.id;
                    auto arn = model::parse_arn(room.arn);
                    fresh.account = arn ? arn->account : "000000000000";
                    fresh.region = arn ? arn->region : "unknown";
                    fresh.first_ms = event_ms;
                    fresh.opened = std::chrono::steady_clock::now();
                    it = s3_batches_.emplace(key, std::move(fresh)).first;
                }
                it->second.text += line;
                ++it->second.records;
                if (it->second.text.size() >= settings_.s3_batch_bytes) {
                    write_s3_batch(it->second);
                    s3_batches_.erase(it);
                }
                break;
            }
        }
    }
}

void ChatLogger::write_lines() {
    for (auto& [path, b] : lines_) {
        std::string error;
        if (settings_.spooled[static_cast<std::size_t>(b.type)]) {
            // One spool entry per API call, so a 2xx removes exactly one file.
            for (auto& chunk : split_lines(b.text, limits_of(b.type))) {
                error = settings_.spool->add(b.type, b.destination, b.stream, chunk.records,
                                             chunk.text);
                if (!error.empty()) break;
            }
        } else {
            error = append_durably(path, b.text);
        }
        if (error.empty())
            metrics_.add(metrics_.written, b.type, b.records);
        else {
            metrics_.add(metrics_.failed, b.type, b.records);
            report_failure(b.type, error);
        }
    }
    lines_.clear();  // the map is rebuilt each round: idle streams hold no memory
}

void ChatLogger::write_s3(bool everything) {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = s3_batches_.begin(); it != s3_batches_.end();) {
        if (everything || now - it->second.opened >= settings_.s3_batch_interval) {
            write_s3_batch(it->second);
            it = s3_batches_.erase(it);
        } else {
            ++it;
        }
    }
}

void ChatLogger::write_s3_batch(S3Batch& batch) {
    if (batch.records == 0) return;
    auto key =
        s3_object_key(batch.account, batch.region, batch.room_id, batch.first_ms, random_hash());
    auto path = s3_object_path(settings_.directory, batch.bucket, key);
    std::string error;
    if (auto gz = gzip_compress(batch.text))
        error =
            settings_.spooled[static_cast<std::size_t>(DestinationType::S3)]
                ? settings_.spool->add(DestinationType::S3, batch.bucket, key, batch.records, *gz)
                : write_atomically(path, *gz);
    else
        error = "gzip compression failed for " + path.string();
    if (error.empty()) {
        metrics_.add(metrics_.written, DestinationType::S3, batch.records);
    } else {
        metrics_.add(metrics_.failed, DestinationType::S3, batch.records);
        report_failure(DestinationType::S3, error);
    }
}

void ChatLogger::report_failure(DestinationType type, const std::string& error) {
    auto i = static_cast<std::size_t>(type);
    auto now = model::now_millis();
    if (now - last_failure_log_ms_[i] < kLogEveryMs) {
        ++suppressed_failures_[i];
        return;
    }
    last_failure_log_ms_[i] = now;
    spdlog::error("chat log ({}): {}{}", type_name(type), error,
                  suppressed_failures_[i]
                      ? " (and " + std::to_string(suppressed_failures_[i]) + " more failures)"
                      : std::string());
    suppressed_failures_[i] = 0;
}

void ChatLogger::warn_dropped(DestinationType type) {
    auto& last = last_drop_log_ms_[static_cast<std::size_t>(type)];
    auto now = model::now_millis();
    auto seen = last.load(std::memory_order_relaxed);
    if (now - seen < kLogEveryMs || !last.compare_exchange_strong(seen, now)) return;
    spdlog::warn(
        "chat log ({}): writer queue full or stopped, records dropped (see "
        "parley_chatlog_records_dropped_total)",
        type_name(type));
}

}  // namespace parley::chatlog
