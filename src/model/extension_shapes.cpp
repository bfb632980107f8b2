#include "model/extension_shapes.hpp"

#include <ctime>

#include "model/field_rules.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
constexpr IntegerRule kExtensionMaxResultsRule{.min = 1, .max = 100};
constexpr StringRule kExtensionTimestampRule{.min_length = 20, .max_length = 40};

bool iso_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::optional<std::int64_t> read_extension_time(ShapeReader& r, std::string_view name) {
    auto text = r.string(name, kExtensionTimestampRule);
    if (!text) return std::nullopt;
    auto ns = parse_iso8601_nanos(*text);
    if (!ns) r.fail(name, "must be an ISO 8601 timestamp such as 2026-01-31T12:00:00Z");
    return ns;
}

std::optional<int> read_extension_max_results(ShapeReader& r) {
    if (auto i = r.integer("maxResults", kExtensionMaxResultsRule)) return static_cast<int>(*i);
    return std::nullopt;
}
}  // namespace

std::optional<std::int64_t> parse_iso8601_nanos(std::string_view s) {
    int year, mon, day, hour, min, sec;
    if (!iso_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !iso_digits(s, 5, 2, mon) ||
        s[7] != '-' || !iso_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
        !iso_digits(s, 11, 2, hour) || s[13] != ':' || !iso_digits(s, 14, 2, min) || s[16] != ':' ||
        !iso_digits(s, 17, 2, sec))
        return std::nullopt;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return std::nullopt;
    std::size_t pos = 19;
    std::int64_t fraction_ns = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t scale = 100'000'000;
        std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            fraction_ns += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start || pos - start > 9) return std::nullopt;
    }
    std::int64_t offset_s = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!iso_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !iso_digits(s, pos + 4, 2, om))
            return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    std::int64_t epoch = timegm(&tm);
    return (epoch - offset_s) * 1'000'000'000 + fraction_ns;
}

ListRoomMessagesRequest ListRoomMessagesRequest::from_value(const Value& v) {
    ShapeReader r(v);
    ListRoomMessagesRequest out;
    out.room_identifier = r.string("roomIdentifier", as_required(kRoomArnRule)).value_or("");
    out.max_results = read_extension_max_results(r);
    out.next_token = r.string("nextToken", kNextTokenRule);
    out.start_time_ns = read_extension_time(r, "startTime");
    out.end_time_ns = read_extension_time(r, "endTime");
    if (out.start_time_ns && out.end_time_ns && *out.start_time_ns > *out.end_time_ns)
        r.fail("endTime", "must not be before startTime");
    r.finish();
    return out;
}

GetRoomPresenceRequest GetRoomPresenceRequest::from_value(const Value& v) {
    ShapeReader r(v);
    GetRoomPresenceRequest out;
    out.room_identifier = r.string("roomIdentifier", as_required(kRoomArnRule)).value_or("");
    out.max_results = read_extension_max_results(r);
    out.next_token = r.string("nextToken", kNextTokenRule);
    r.finish();
    return out;
}

}  // namespace parley::model
