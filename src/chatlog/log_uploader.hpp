#pragma once
// Uploads spooled chat log entries (log_spool.hpp) to the real destination APIs: one thread per
// destination type with an endpoint, so a slow or unreachable service never holds up the chat
// loops, the writer, or the other types. Entries of a type go oldest first; a destination that
// fails waits (exponential backoff, 0.5 s doubling up to 60 s) while the others carry on. An
// entry leaves the spool only after a 2xx. On stop() the request in flight is allowed to finish
// (so its answer is known and nothing is sent twice after a clean restart); what remains is
// resumed from the spool at the next start.
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/credential_store.hpp"
#include "chatlog/delivery_endpoint.hpp"
#include "chatlog/destination_metrics.hpp"
#include "chatlog/log_spool.hpp"
#include "net/blocking_http_client.hpp"

namespace boost::asio::ssl {
class context;
}

namespace parley::chatlog {

class LogUploader {
  public:
    LogUploader(LogSpool& spool, DestinationMetrics& metrics, auth::Credentials credentials,
                std::array<std::optional<DeliveryEndpoint>, kDestinationTypes> endpoints,
                std::shared_ptr<boost::asio::ssl::context> tls);
    ~LogUploader();
    LogUploader(const LogUploader&) = delete;
    LogUploader& operator=(const LogUploader&) = delete;

    void start();
    void stop();

  private:
    enum class Result { Delivered, Partial, Failed };
    struct Backoff {
        std::chrono::steady_clock::time_point until{};
        std::chrono::milliseconds delay{0};
    };

    void run(DestinationType type);
    Result deliver(net::BlockingHttpClient& client, const DeliveryEndpoint& endpoint,
                   SpoolEntry& entry, std::string& data, std::string& error);
    Result deliver_s3(net::BlockingHttpClient& client, const DeliveryEndpoint& endpoint,
                      SpoolEntry& entry, std::string& data, std::string& error);
    Result deliver_logs(net::BlockingHttpClient& client, const DeliveryEndpoint& endpoint,
                        SpoolEntry& entry, std::string& data, std::string& error);
    Result deliver_firehose(net::BlockingHttpClient& client, const DeliveryEndpoint& endpoint,
                            SpoolEntry& entry, std::string& data, std::string& error);

    LogSpool& spool_;
    DestinationMetrics& metrics_;
    auth::Credentials credentials_;
    std::array<std::optional<DeliveryEndpoint>, kDestinationTypes> endpoints_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

}  // namespace parley::chatlog
