#include "chatlog/log_uploader.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <random>

#include "chatlog/destination_requests.hpp"
#include "chatlog/log_batches.hpp"
#include "model/clock_format.hpp"

namespace parley::chatlog {

namespace {
constexpr auto kRequestTimeout = std::chrono::seconds(15);
constexpr auto kFirstDelay = std::chrono::milliseconds(500);
constexpr auto kMaxDelay = std::chrono::milliseconds(60000);
constexpr auto kIdleWait = std::chrono::milliseconds(1000);
constexpr std::int64_t kWarnEveryMs = 10000;

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string describe(const net::HttpResponse& r) {
    if (r.status == 0) return r.error;
    std::string body = r.body.substr(0, 300);
    return "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body);
}

std::string join_lines(const std::vector<std::string_view>& lines, std::size_t from) {
    std::string out;
    for (std::size_t i = from; i < lines.size(); ++i) {
        out.append(lines[i]);
        out += '\n';
    }
    return out;
}
}  // namespace

LogUploader::LogUploader(LogSpool& spool, DestinationMetrics& metrics,
                         auth::Credentials credentials,
                         std::array<std::optional<DeliveryEndpoint>, kDestinationTypes> endpoints,
                         std::shared_ptr<boost::asio::ssl::context> tls)
    : spool_(spool),
      metrics_(metrics),
      credentials_(std::move(credentials)),
      endpoints_(std::move(endpoints)),
      tls_(std::move(tls)) {}

LogUploader::~LogUploader() {
    stop();
}

void LogUploader::start() {
    for (std::size_t i = 0; i < kDestinationTypes; ++i)
        if (endpoints_[i])
            threads_.emplace_back([this, i] { run(static_cast<DestinationType>(i)); });
}

void LogUploader::stop() {
    stopping_ = true;
    spool_.close();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void LogUploader::run(DestinationType type) {
    const DeliveryEndpoint& endpoint = *endpoints_[static_cast<std::size_t>(type)];
    net::BlockingHttpClient client(endpoint.endpoint.tls ? tls_ : nullptr);
    std::map<std::string, Backoff> backoff;  // destinations that failed recently
    std::int64_t last_warn_ms = 0;
    std::uint64_t quiet_failures = 0;
    std::mt19937 rng{std::random_device{}()};
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        auto entry = spool_.claim(type, [&](const std::string& destination) {
            auto it = backoff.find(destination);
            return it == backoff.end() || it->second.until <= now;
        });
        if (!entry) {
            auto until = now + kIdleWait;
            for (const auto& [name, b] : backoff)
                if (b.until > now && b.until < until) until = b.until;
            spool_.wait(type, until);
            continue;
        }
        std::string data, error;
        if (auto e = spool_.read(*entry, data); !e.empty()) {
            spdlog::error("chat log ({} {}): {}; dropped", type_name(type), entry->destination, e);
            spool_.discard(*entry);
            continue;
        }
        const std::uint64_t records = entry->records;
        Result r = deliver(client, endpoint, *entry, data, error);
        if (r == Result::Delivered) {
            metrics_.uploaded(type, entry->destination, entry->records);
            spool_.finish(*entry, true);
            backoff.erase(entry->destination);
            continue;
        }
        // Partial: some records arrived (the entry now holds the rest); Failed: none did.
        const std::uint64_t left = entry->records;
        if (r == Result::Partial && records > left)
            metrics_.uploaded(type, entry->destination, records - left);
        metrics_.failed(type, entry->destination, left);
        spool_.finish(*entry, false);
        auto& b = backoff[entry->destination];
        b.delay = b.delay.count() == 0 ? kFirstDelay : std::min(kMaxDelay, b.delay * 2);
        // +-20% jitter, so many nodes do not retry in step.
        auto jitter =
            std::uniform_int_distribution<long>(-b.delay.count() / 5, b.delay.count() / 5)(rng);
        b.until = std::chrono::steady_clock::now() + b.delay + std::chrono::milliseconds(jitter);
        const auto now_ms = model::now_millis();
        if (now_ms - last_warn_ms >= kWarnEveryMs) {
            spdlog::warn(
                "chat log upload to {} {} at {} failed ({} records kept, retry in {} ms): {}{}",
                type_name(type), entry->destination, endpoint.description, left, b.delay.count(),
                error,
                quiet_failures ? " (and " + std::to_string(quiet_failures) + " more failures)"
                               : std::string());
            last_warn_ms = now_ms;
            quiet_failures = 0;
        } else {
            ++quiet_failures;
        }
    }
}

LogUploader::Result LogUploader::deliver(net::BlockingHttpClient& client,
                                         const DeliveryEndpoint& endpoint, SpoolEntry& entry,
                                         std::string& data, std::string& error) {
    switch (entry.type) {
        case DestinationType::S3:
            return deliver_s3(client, endpoint, entry, data, error);
        case DestinationType::CloudWatchLogs:
            return deliver_logs(client, endpoint, entry, data, error);
        case DestinationType::Firehose:
            return deliver_firehose(client, endpoint, entry, data, error);
    }
    return Result::Failed;
}

LogUploader::Result LogUploader::deliver_s3(net::BlockingHttpClient& client,
                                            const DeliveryEndpoint& endpoint, SpoolEntry& entry,
                                            std::string& data, std::string& error) {
    auto req = s3_put_object(endpoint, credentials_, entry.destination, entry.stream,
                             std::move(data), now_seconds());
    auto r = client.send(req.target, std::move(req.request), kRequestTimeout);
    if (r.ok()) return Result::Delivered;
    error = describe(r);
    return Result::Failed;
}

LogUploader::Result LogUploader::deliver_logs(net::BlockingHttpClient& client,
                                              const DeliveryEndpoint& endpoint, SpoolEntry& entry,
                                              std::string& data, std::string& error) {
    auto batches = log_event_batches(data, model::now_millis());
    for (std::size_t i = 0; i < batches.size(); ++i) {
        const auto body = put_log_events_body(entry.destination, entry.stream, batches[i]);
        auto req = aws_json_request(endpoint, credentials_, kPutLogEvents, body, now_seconds());
        auto r = client.send(req.target, std::move(req.request), kRequestTimeout);
        if (r.status == 400 && aws_error_code(r.body) == "ResourceNotFoundException") {
            // The log stream does not exist yet (the group must: IVS does not create groups).
            auto create = aws_json_request(endpoint, credentials_, kCreateLogStream,
                                           create_log_stream_body(entry.destination, entry.stream),
                                           now_seconds());
            auto c = client.send(create.target, std::move(create.request), kRequestTimeout);
            if (!c.ok() && aws_error_code(c.body) != "ResourceAlreadyExistsException") {
                error = "CreateLogStream: " + describe(c);
                return i == 0 ? Result::Failed : Result::Partial;
            }
            req = aws_json_request(endpoint, credentials_, kPutLogEvents, body, now_seconds());
            r = client.send(req.target, std::move(req.request), kRequestTimeout);
        }
        if (!r.ok()) {
            error = "PutLogEvents: " + describe(r);
            return i == 0 ? Result::Failed : Result::Partial;
        }
        if (i + 1 < batches.size()) {
            // Keep only what is still to send, so a retry or restart does not repeat this call.
            std::string rest;
            std::uint64_t count = 0;
            for (std::size_t j = i + 1; j < batches.size(); ++j)
                for (const auto& e : batches[j]) {
                    rest.append(e.message);
                    rest += '\n';
                    ++count;
                }
            if (auto e = spool_.rewrite(entry, rest, count); !e.empty()) {
                error = e;
                return Result::Partial;
            }
        }
    }
    return Result::Delivered;
}

LogUploader::Result LogUploader::deliver_firehose(net::BlockingHttpClient& client,
                                                  const DeliveryEndpoint& endpoint,
                                                  SpoolEntry& entry, std::string& data,
                                                  std::string& error) {
    auto lines = lines_of(data);
    // Each record is one log line with its '\n', so the stream's output (e.g. S3 objects)
    // reads like the local firehose file.
    std::vector<std::string> owned;
    owned.reserve(lines.size());
    for (auto l : lines) owned.push_back(std::string(l) + "\n");
    std::vector<std::string_view> records(owned.begin(), owned.end());
    auto req = aws_json_request(endpoint, credentials_, kPutRecordBatch,
                                put_record_batch_body(entry.destination, records), now_seconds());
    auto r = client.send(req.target, std::move(req.request), kRequestTimeout);
    if (!r.ok()) {
        error = "PutRecordBatch: " + describe(r);
        return Result::Failed;
    }
    auto failed = failed_record_indexes(r.body, records.size());
    if (!failed) {
        error = "PutRecordBatch: unexpected answer: " + r.body.substr(0, 300);
        return Result::Failed;
    }
    if (failed->empty()) return Result::Delivered;
    std::vector<std::string_view> rest;
    for (auto i : *failed) rest.push_back(lines[i]);
    error = "PutRecordBatch: " + std::to_string(failed->size()) + " of " +
            std::to_string(records.size()) + " records failed";
    if (auto e = spool_.rewrite(entry, join_lines(rest, 0), rest.size()); !e.empty())
        error += "; " + e;
    return failed->size() == records.size() ? Result::Failed : Result::Partial;
}

}  // namespace parley::chatlog
