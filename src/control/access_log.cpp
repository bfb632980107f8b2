#include "control/access_log.hpp"

#include <spdlog/spdlog.h>

#include <memory>

namespace parley::control {

namespace {
// Made on first use, after main() configured the default logger: it shares its sinks (and so
// its format) and starts at its level.
spdlog::logger& access_logger() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto& sinks = spdlog::default_logger()->sinks();
        auto l = std::make_shared<spdlog::logger>("access", sinks.begin(), sinks.end());
        l->set_level(spdlog::default_logger()->level());
        return l;
    }();
    return *logger;
}
}  // namespace

void log_api_access(std::string_view operation, unsigned status, double latency_ms,
                    std::string_view request_id, const std::function<std::string()>& peer) {
    auto& logger = access_logger();
    if (!logger.should_log(spdlog::level::info)) return;
    logger.info("api op={} status={} latency_ms={:.2f} request_id={} peer={}", operation, status,
                latency_ms, request_id, peer ? peer() : std::string("-"));
}

}  // namespace parley::control
