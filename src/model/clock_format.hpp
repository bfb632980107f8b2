#pragma once
// Wire formats for time: ISO 8601 with milliseconds for the control plane, RFC 3339 with
// nanoseconds (trailing zeros dropped, Go RFC3339Nano style) for messaging SendTime.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::model {

std::int64_t now_millis();
std::int64_t now_nanos();

std::string format_iso8601_millis(std::int64_t epoch_millis);  // 2023-01-09T14:48:35.358Z
std::string format_rfc3339_nanos(std::int64_t epoch_nanos);    // 2022-12-02T08:21:20.754555595Z
std::string format_amz_date(std::int64_t epoch_seconds);       // 20150830T123600Z
std::string format_http_date(std::int64_t epoch_seconds);      // Sun, 30 Aug 2015 12:36:00 GMT

// Parses yyyymmddTHHMMSSZ (X-Amz-Date) or an RFC 1123 date (Date header).
std::optional<std::int64_t> parse_amz_date(std::string_view s);
std::optional<std::int64_t> parse_http_date(std::string_view s);
// "2026-11-27T17:00:00Z", "2026-11-27T17:00:00.123456789Z" or with a "+01:00" offset, as
// nanoseconds since the epoch; nullopt when it is not such a timestamp.
std::optional<std::int64_t> parse_iso8601_nanos(std::string_view s);

}  // namespace parley::model
