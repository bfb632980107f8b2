#pragma once
// One chat log record (spec §4):
//   {"event_timestamp":"2023-01-05T14:33:32.894Z","type":"MESSAGE","payload":{...},"version":"1.0"}
// in the key order the service writes. payload is the exact JSON clients received.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::chatlog {

inline constexpr std::string_view kLogVersion = "1.0";

std::string format_chat_log_record(std::string_view type, std::string_view payload_json,
                                   std::int64_t event_millis);

// The payload's top-level SendTime (RFC 3339, UTC) in epoch milliseconds, truncated; nullopt
// when the payload has none or it does not parse. Nested "SendTime" keys (attributes) are
// skipped, so a sender cannot forge the record time.
std::optional<std::int64_t> payload_send_time_millis(std::string_view payload_json);

// Parses YYYY-MM-DDTHH:MM:SS[.fraction]Z to epoch milliseconds (fraction truncated).
std::optional<std::int64_t> parse_rfc3339_millis(std::string_view text);

}  // namespace parley::chatlog
