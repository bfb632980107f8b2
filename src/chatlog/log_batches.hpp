#pragma once
// How spooled CloudWatch Logs and Firehose records are cut into API calls, within the limits the
// AWS APIs document:
//   PutLogEvents:   at most 10,000 events and 1,048,576 bytes, counted as the UTF-8 bytes of
//                   each message plus 26 bytes per event; events in chronological order; one
//                   call spans at most 24 hours.
//   PutRecordBatch: at most 500 records and 4 MiB (4,194,304 bytes) of record data.
// A spool segment holds one call's worth, so one successful call removes it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chatlog/log_destination.hpp"

namespace parley::chatlog {

struct BatchLimits {
    std::size_t max_records;
    std::size_t max_bytes;
    std::size_t per_record_overhead;
    bool newline_in_record;  // Firehose records keep their '\n'; log event messages do not
};

inline constexpr BatchLimits kPutLogEventsLimits{10000, 1048576, 26, false};
inline constexpr BatchLimits kPutRecordBatchLimits{500, 4 * 1024 * 1024, 0, true};
inline constexpr std::int64_t kPutLogEventsMaxSpanMs = 24LL * 3600 * 1000;

BatchLimits limits_of(DestinationType type);

struct LineChunk {
    std::string text;  // whole lines, each ending in '\n'
    std::uint64_t records = 0;
};

// Cuts newline-terminated records into chunks within `limits` (a record alone larger than the
// byte limit gets a chunk of its own; the API will refuse it).
std::vector<LineChunk> split_lines(std::string_view text, const BatchLimits& limits);

// The lines of a chunk, without their '\n'.
std::vector<std::string_view> lines_of(std::string_view text);

struct LogEvent {
    std::int64_t timestamp_ms = 0;
    std::string_view message;
};

// The log events of a segment (timestamp = the record's event_timestamp), in time order (stable,
// so records of one millisecond keep their order), cut where a call would span over 24 hours.
std::vector<std::vector<LogEvent>> log_event_batches(std::string_view text,
                                                     std::int64_t fallback_ms);

}  // namespace parley::chatlog
