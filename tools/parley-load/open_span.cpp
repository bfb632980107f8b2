#include "open_span.hpp"

#include <cstdio>

namespace parley::load {

std::string describe_open_span(std::size_t opened, const OpenSpan& span) {
    const double s = span.seconds();
    char out[96];
    if (s > 0)
        std::snprintf(out, sizeof out, "in %.3f s (%.1f/s)", s, static_cast<double>(opened) / s);
    else
        std::snprintf(out, sizeof out, "in %.3f s", s);
    return out;
}

std::string describe_open_cpu(std::size_t opened, const OpenSpan& span, double server_cpu_s,
                              double tool_cpu_s) {
    const double s = span.seconds();
    if (opened == 0 || s <= 0) return {};
    std::string line = "open CPU:";
    char part[128];
    if (server_cpu_s >= 0) {
        std::snprintf(part, sizeof part, " server %.1f µs per connection (%.0f%% of the span)",
                      1e6 * server_cpu_s / static_cast<double>(opened), 100 * server_cpu_s / s);
        line += part;
    }
    if (tool_cpu_s >= 0) {
        std::snprintf(part, sizeof part, "%s load tool %.1f µs per connection (%.0f%% of the span)",
                      server_cpu_s >= 0 ? "," : "", 1e6 * tool_cpu_s / static_cast<double>(opened),
                      100 * tool_cpu_s / s);
        line += part;
    }
    return line;
}

}  // namespace parley::load
