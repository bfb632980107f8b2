#include "chatlog/chat_log_delivery.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdlib>
#include <stdexcept>

#include "net/tls_client_context.hpp"

namespace parley::chatlog {

ChatLogDelivery::ChatLogDelivery(ChatLogDeliverySettings settings)
    : settings_(std::move(settings)) {
    const std::pair<DestinationType, const std::string*> settings_by_type[] = {
        {DestinationType::S3, &settings_.s3_endpoint},
        {DestinationType::CloudWatchLogs, &settings_.logs_endpoint},
        {DestinationType::Firehose, &settings_.firehose_endpoint}};
    const char* flags[] = {"--s3-endpoint", "--logs-endpoint", "--firehose-endpoint"};
    bool any_tls = false;
    for (const auto& [type, value] : settings_by_type) {
        if (value->empty()) continue;
        std::string error;
        auto e =
            resolve_delivery_endpoint(type, *value, settings_.region, settings_.fallback_region,
                                      settings_.s3_addressing, error);
        if (!e)
            throw std::invalid_argument(std::string(flags[static_cast<std::size_t>(type)]) + " " +
                                        *value + ": " + error);
        any_tls = any_tls || e->endpoint.tls;
        endpoints_[static_cast<std::size_t>(type)] = std::move(*e);
    }
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (any_tls || !settings_.ca_file.empty())
        tls = net::make_tls_client_context(settings_.ca_file, "--chatlog-ca-file");
    spool_ =
        std::make_shared<LogSpool>(settings_.spool_directory, settings_.spool_max_bytes, metrics_);
    uploader_ = std::make_unique<LogUploader>(*spool_, metrics_, settings_.credentials, endpoints_,
                                              std::move(tls));
}

ChatLogDelivery::~ChatLogDelivery() {
    stop();
}

void ChatLogDelivery::configure(ChatLogSettings& logger_settings) const {
    logger_settings.spool = spool_;
    for (std::size_t i = 0; i < kDestinationTypes; ++i)
        logger_settings.spooled[i] = endpoints_[i].has_value();
}

void ChatLogDelivery::start() {
    if (auto n = spool_->scan())
        spdlog::info("chat log spool {}: {} entries ({} bytes) left to upload",
                     settings_.spool_directory.string(), n, spool_->bytes());
    // Entries of a type whose endpoint was removed since: kept (and counted), never sent.
    for (std::size_t i = 0; i < kDestinationTypes; ++i) {
        if (endpoints_[i]) continue;
        const auto type = static_cast<DestinationType>(i);
        if (auto n = spool_->entries(type))
            spdlog::warn(
                "chat log spool {} holds {} {} entries but no endpoint is set for them; "
                "they are kept until it is",
                settings_.spool_directory.string(), n, type_name(type));
    }
    uploader_->start();
}

void ChatLogDelivery::stop() {
    if (uploader_) uploader_->stop();
}

std::string ChatLogDelivery::describe() const {
    std::string out;
    for (std::size_t i = 0; i < kDestinationTypes; ++i) {
        if (!endpoints_[i]) continue;
        if (!out.empty()) out += ", ";
        out += std::string(type_name(static_cast<DestinationType>(i))) + " -> " +
               endpoints_[i]->description + " (region " + endpoints_[i]->region + ")";
    }
    return out;
}

std::optional<auth::Credentials> chat_log_credentials_from_environment() {
    const char* id = std::getenv("PARLEY_LOG_ACCESS_KEY_ID");
    const char* secret = std::getenv("PARLEY_LOG_SECRET_ACCESS_KEY");
    if (!id || !*id || !secret || !*secret) return std::nullopt;
    return auth::Credentials{id, secret};
}

}  // namespace parley::chatlog
