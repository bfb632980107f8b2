#include "control/request_metrics.hpp"

namespace parley::control {

void RequestMetrics::record(std::string_view operation, unsigned status) {
    std::lock_guard lock(mutex_);
    ++counts_[{std::string(operation), status}];
}

std::string RequestMetrics::render() const {
    std::string out =
        "# HELP parley_api_requests_total Control-plane requests by operation and status.\n"
        "# TYPE parley_api_requests_total counter\n";
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : counts_)
        out += "parley_api_requests_total{operation=\"" + key.first + "\",status=\"" +
               std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    return out;
}

RequestMetrics& request_metrics() {
    static RequestMetrics metrics;
    return metrics;
}

}  // namespace parley::control
