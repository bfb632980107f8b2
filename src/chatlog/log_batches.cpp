#include "chatlog/log_batches.hpp"

#include <algorithm>

#include "chatlog/chat_log_record.hpp"

namespace parley::chatlog {

BatchLimits limits_of(DestinationType type) {
    return type == DestinationType::Firehose ? kPutRecordBatchLimits : kPutLogEventsLimits;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            out.push_back(text);
            break;
        }
        out.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::vector<LineChunk> split_lines(std::string_view text, const BatchLimits& limits) {
    std::vector<LineChunk> out;
    std::size_t bytes = 0;
    for (auto line : lines_of(text)) {
        const std::size_t cost =
            line.size() + (limits.newline_in_record ? 1 : 0) + limits.per_record_overhead;
        if (out.empty() || out.back().records >= limits.max_records ||
            (bytes + cost > limits.max_bytes && out.back().records > 0)) {
            out.emplace_back();
            bytes = 0;
        }
        out.back().text.append(line);
        out.back().text += '\n';
        ++out.back().records;
        bytes += cost;
    }
    return out;
}

std::vector<std::vector<LogEvent>> log_event_batches(std::string_view text,
                                                     std::int64_t fallback_ms) {
    std::vector<LogEvent> events;
    constexpr std::string_view kPrefix = "{\"event_timestamp\":\"";
    for (auto line : lines_of(text)) {
        if (line.empty()) continue;
        std::int64_t ts = fallback_ms;
        if (line.starts_with(kPrefix)) {
            auto rest = line.substr(kPrefix.size());
            if (auto end = rest.find('"'); end != std::string_view::npos)
                ts = parse_rfc3339_millis(rest.substr(0, end)).value_or(fallback_ms);
        }
        events.push_back({ts, line});
    }
    std::stable_sort(events.begin(), events.end(), [](const LogEvent& a, const LogEvent& b) {
        return a.timestamp_ms < b.timestamp_ms;
    });
    std::vector<std::vector<LogEvent>> out;
    for (const auto& e : events) {
        if (out.empty() ||
            e.timestamp_ms - out.back().front().timestamp_ms >= kPutLogEventsMaxSpanMs)
            out.emplace_back();
        out.back().push_back(e);
    }
    return out;
}

}  // namespace parley::chatlog
