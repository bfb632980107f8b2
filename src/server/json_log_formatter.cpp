#include "server/json_log_formatter.hpp"

#include "model/json_codec.hpp"

#include <spdlog/details/log_msg.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace parley::server {

namespace {
using model::append_json_string;

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
