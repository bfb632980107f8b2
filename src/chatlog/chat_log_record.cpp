#include "chatlog/chat_log_record.hpp"

#include <chrono>

#include "model/clock_format.hpp"
#include "model/json_codec.hpp"

namespace parley::chatlog {

namespace {

// Just enough of a JSON reader to walk the top level of an object without building a tree.
struct TopLevelScanner {
    std::string_view s;
    std::size_t i = 0;

    void skip_space() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    }
    bool at(char c) {
        skip_space();
        return i < s.size() && s[i] == c;
    }
    // At a '"': the raw text between the quotes (escapes left as they are).
    std::optional<std::string_view> string() {
        if (i >= s.size() || s[i] != '"') return std::nullopt;
        std::size_t start = ++i;
        while (i < s.size()) {
            if (s[i] == '\\') {
                i += 2;
                continue;
            }
            if (s[i] == '"') return s.substr(start, i++ - start);
            ++i;
        }
        return std::nullopt;
    }
    bool skip_value() {
        skip_space();
        if (i >= s.size()) return false;
        if (s[i] == '"') return string().has_value();
        if (s[i] == '{' || s[i] == '[') {
            int depth = 0;
            while (i < s.size()) {
                char c = s[i];
                if (c == '"') {
                    if (!string()) return false;
                    continue;
                }
                if (c == '{' || c == '[') ++depth;
                if ((c == '}' || c == ']') && --depth == 0) {
                    ++i;
                    return true;
                }
                ++i;
            }
            return false;
        }
        std::size_t start = i;
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
               s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            ++i;
        return i > start;
    }
};

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t k = pos; k < pos + n; ++k) {
        if (s[k] < '0' || s[k] > '9') return false;
        out = out * 10 + (s[k] - '0');
    }
    return true;
}

}  // namespace

std::string format_chat_log_record(std::string_view type, std::string_view payload_json,
                                   std::int64_t event_millis) {
    std::string out;
    out.reserve(payload_json.size() + 96);
    out += R"({"event_timestamp":")";
    out += model::format_iso8601_millis(event_millis);
    out += R"(","type":)";
    model::append_json_string(out, type);
    out += R"(,"payload":)";
    out += payload_json;
    out += R"(,"version":)";
    model::append_json_string(out, kLogVersion);
    out += '}';
    return out;
}

std::optional<std::int64_t> parse_rfc3339_millis(std::string_view t) {
    // 2022-12-02T08:21:20[.754555595]Z
    int year, month, day, hour, minute, second;
    if (t.size() < 20 || !digits(t, 0, 4, year) || t[4] != '-' || !digits(t, 5, 2, month) ||
        t[7] != '-' || !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') ||
        !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' ||
        !digits(t, 17, 2, second))
        return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    std::size_t pos = 19;
    int millis = 0;
    if (t[pos] == '.') {
        std::size_t start = ++pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (pos - start < 3) millis = millis * 10 + (t[pos] - '0');
            ++pos;
        }
        if (pos == start) return std::nullopt;
        for (std::size_t n = pos - start; n < 3; ++n) millis *= 10;
    }
    if (pos + 1 != t.size() || (t[pos] != 'Z' && t[pos] != 'z')) return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                       std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;
    auto days_since_epoch = sys_days(ymd).time_since_epoch().count();
    return ((static_cast<std::int64_t>(days_since_epoch) * 24 + hour) * 60 + minute) * 60000 +
           static_cast<std::int64_t>(second) * 1000 + millis;
}

std::optional<std::int64_t> payload_send_time_millis(std::string_view payload_json) {
    TopLevelScanner sc{payload_json};
    if (!sc.at('{')) return std::nullopt;
    ++sc.i;
    if (sc.at('}')) return std::nullopt;
    for (;;) {
        sc.skip_space();
        auto key = sc.string();
        if (!key || !sc.at(':')) return std::nullopt;
        ++sc.i;
        if (*key == "SendTime") {
            sc.skip_space();
            auto value = sc.string();
            if (!value) return std::nullopt;
            return parse_rfc3339_millis(*value);
        }
        if (!sc.skip_value()) return std::nullopt;
        if (sc.at(',')) {
            ++sc.i;
            continue;
        }
        return std::nullopt;  // '}' (no SendTime) or malformed
    }
}

}  // namespace parley::chatlog
