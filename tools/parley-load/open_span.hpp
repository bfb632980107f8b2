#pragma once
// How long opening a batch of connections took, from the first connect started
// to the last WebSocket open completed, taken with steady_clock where it
// happens (on the client loops) instead of by a watcher that polls. steady_clock
// is CLOCK_MONOTONIC, one clock for every process on the machine, so the spans
// of forked children merge into one: earliest start, latest finish.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace parley::load {

struct OpenSpan {
    std::int64_t first_start_ns = std::numeric_limits<std::int64_t>::max();
    std::int64_t last_open_ns = std::numeric_limits<std::int64_t>::min();

    static std::int64_t now_ns() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    void started() {
        if (first_start_ns == std::numeric_limits<std::int64_t>::max()) first_start_ns = now_ns();
    }
    void opened() { last_open_ns = now_ns(); }
    void merge(const OpenSpan& o) {
        first_start_ns = std::min(first_start_ns, o.first_start_ns);
        last_open_ns = std::max(last_open_ns, o.last_open_ns);
    }
    bool empty() const { return last_open_ns < first_start_ns; }
    double seconds() const {
        return empty() ? 0.0 : static_cast<double>(last_open_ns - first_start_ns) / 1e9;
    }
};

// "in 1.234 s (8103.7/s)": the figure bench/report.mjs reads.
std::string describe_open_span(std::size_t opened, const OpenSpan& span);

// "open CPU: server 118.2 µs per connection (96% of the span), load tool 41% of
// the span": whether the server's core, not the tool, limited the rate. CPU
// seconds are over a window that encloses the span, so shares can read a little
// high; a negative figure means "not known" and is left out.
std::string describe_open_cpu(std::size_t opened, const OpenSpan& span, double server_cpu_s,
                              double tool_cpu_s);

}  // namespace parley::load
