#include "server/json_log_formatter.hpp"

#include <spdlog/details/log_msg.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace parley::server {

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
    static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool is_number(std::string_view v) {
    if (v.empty()) return false;
    bool digit = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (!(c == '.' || (c == '-' && i == 0)))
            return false;
    }
    return digit && v.back() != '.';
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t len = utf8_sequence_length(s, i);
            if (len == 0) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(s.substr(i, len));
                i += len;
            }
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    std::string line;
    line.reserve(msg.payload.size() + 96);
    auto since = msg.time.time_since_epoch();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
    std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    line += "{\"time\":\"";
    line += stamp;
    line += "\",\"level\":";
    auto level = spdlog::level::to_string_view(msg.level);
    append_json_string(line, std::string_view(level.data(), level.size()));
    std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    line += ",\"logger\":";
    append_json_string(line, logger.empty() ? std::string_view("parleyd") : logger);
    std::string_view payload(msg.payload.data(), msg.payload.size());
    line += ",\"msg\":";
    append_json_string(line, payload);
    if (logger == "access") {
        // "api k=v k=v ...": values never hold spaces (operation names, ids, host:port).
        std::size_t pos = payload.find(' ');
        while (pos != std::string_view::npos) {
            std::size_t start = pos + 1;
            std::size_t end = payload.find(' ', start);
            auto pair = payload.substr(start, end == std::string_view::npos ? end : end - start);
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && eq > 0) {
                auto value = pair.substr(eq + 1);
                line += ',';
                append_json_string(line, pair.substr(0, eq));
                line += ':';
                if (is_number(value))
                    line.append(value);
                else
                    append_json_string(line, value);
            }
            pos = end;
        }
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
    return std::make_unique<JsonLogFormatter>();
}

}  // namespace parley::server
