#pragma once
// Counts control-plane requests by operation and HTTP status, for /metrics.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace parley::control {

class RequestMetrics {
  public:
    void record(std::string_view operation, unsigned status);
    // Prometheus text lines for parley_api_requests_total{operation,status}.
    std::string render() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, unsigned>, std::uint64_t> counts_;
};

RequestMetrics& request_metrics();

}  // namespace parley::control
