#include "model/clock_format.hpp"

#include <cstdio>
#include <ctime>

namespace parley::model {

namespace {
std::tm utc(std::int64_t secs) {
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}
// t as whole units of `per` (rounded down) plus a rest in [0, per). Computing the rest as
// t - whole * per would overflow for times near INT64_MIN.
struct FloorSplit {
    std::int64_t whole, rest;
};
FloorSplit floor_split(std::int64_t t, std::int64_t per) {
    FloorSplit s{t / per, t % per};
    if (s.rest < 0) {
        s.rest += per;
        --s.whole;
    }
    return s;
}
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
}  // namespace

std::int64_t now_millis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t now_nanos() {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_iso8601_millis(std::int64_t ms) {
    const auto [secs, millis] = floor_split(ms, 1000);
    auto tm = utc(secs);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    return buf;
}

std::string format_rfc3339_nanos(std::int64_t ns) {
    const auto [secs, nanos] = floor_split(ns, 1000000000);
    const auto frac = static_cast<long>(nanos);
    auto tm = utc(secs);
    char buf[96];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out(buf, static_cast<size_t>(n));
    if (frac != 0) {
        char f[16];
        std::snprintf(f, sizeof f, ".%09ld", frac);
        std::string fs(f);
        while (fs.back() == '0') fs.pop_back();
        out += fs;
    }
    out += 'Z';
    return out;
}

std::string format_amz_date(std::int64_t secs) {
    auto tm = utc(secs);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string format_http_date(std::int64_t secs) {
    auto tm = utc(secs);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

namespace {

// Seconds since the epoch of a UTC calendar time (month 1-12), for every parser below.
std::int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(timegm(&tm));
}

bool iso_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_amz_date(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
    int y, mo, d, h, mi, se;
    std::string str(s);
    if (std::sscanf(str.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &se) != 6)
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
    return utc_seconds(y, mo, d, h, mi, se);
}

std::optional<std::int64_t> parse_http_date(std::string_view s) {
    // "Sun, 30 Aug 2015 12:36:00 GMT"
    std::string str(s);
    char wday[4], mon[4];
    int d, y, h, mi, se, used = -1;
    // %n checks that nothing follows "GMT": another zone must not be read as UTC.
    if (std::sscanf(str.c_str(), "%3s, %d %3s %d %d:%d:%d GMT%n", wday, &d, mon, &y, &h, &mi, &se,
                    &used) != 7 ||
        used != static_cast<int>(str.size()))
        return std::nullopt;
    int m = -1;
    for (int i = 0; i < 12; ++i)
        if (std::string_view(mon) == kMonths[i]) m = i;
    if (m < 0) return std::nullopt;
    return utc_seconds(y, m + 1, d, h, mi, se);
}

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
    const std::int64_t epoch = utc_seconds(year, mon, day, hour, min, sec);
    return (epoch - offset_s) * 1'000'000'000 + fraction_ns;
}

}  // namespace parley::model
