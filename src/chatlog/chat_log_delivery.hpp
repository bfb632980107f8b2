#pragma once
// Chat log delivery to the real destination APIs (--s3-endpoint, --logs-endpoint,
// --firehose-endpoint): the spool, its uploaders and their metrics, wired to the ChatLogger.
// Destination types without an endpoint keep the local files.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/credential_store.hpp"
#include "chatlog/chat_logger.hpp"
#include "chatlog/destination_metrics.hpp"
#include "chatlog/log_spool.hpp"
#include "chatlog/log_uploader.hpp"

namespace parley::chatlog {

struct ChatLogDeliverySettings {
    std::string s3_endpoint, logs_endpoint, firehose_endpoint;  // "" = local files
    std::string region;           // --chatlog-region ("" = from the host, else fallback)
    std::string fallback_region;  // --region
    std::string s3_addressing = "auto";
    std::string ca_file;
    std::uint64_t spool_max_bytes = 1ULL << 30;
    std::filesystem::path spool_directory;
    auth::Credentials credentials;
};

class ChatLogDelivery {
  public:
    // Throws std::invalid_argument naming the flag for a bad endpoint or CA file.
    explicit ChatLogDelivery(ChatLogDeliverySettings settings);
    ~ChatLogDelivery();

    // Points the logger's spooled types at the spool. Call before the logger starts.
    void configure(ChatLogSettings& logger_settings) const;
    void start();  // scans the spool left by the last run, starts the uploaders
    void stop();   // lets in-flight requests finish; the spool keeps the rest

    std::string render_metrics() const { return metrics_.render(); }
    std::string describe() const;  // for the start-up log
    LogSpool& spool() { return *spool_; }

  private:
    ChatLogDeliverySettings settings_;
    std::array<std::optional<DeliveryEndpoint>, kDestinationTypes> endpoints_;
    DestinationMetrics metrics_;
    std::shared_ptr<LogSpool> spool_;
    std::unique_ptr<LogUploader> uploader_;
};

// PARLEY_LOG_ACCESS_KEY_ID / PARLEY_LOG_SECRET_ACCESS_KEY, nullopt when either is unset.
std::optional<auth::Credentials> chat_log_credentials_from_environment();

}  // namespace parley::chatlog
