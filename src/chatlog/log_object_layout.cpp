#include "chatlog/log_object_layout.hpp"

#include <cstdio>
#include <ctime>

namespace parley::chatlog {

namespace {
bool plain(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

void percent(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
}
}  // namespace

std::string path_component(std::string_view name) {
    std::string out;
    if (name.empty()) return "%00";  // never a valid name; keeps the component non-empty
    if (name == "." || name == "..") {
        for (char c : name) percent(out, static_cast<unsigned char>(c));
        return out;
    }
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        if (plain(c))
            out += ch;
        else
            percent(out, c);
    }
    return out;
}

std::optional<std::string> unwritable_name(const LogDestination& destination) {
    std::string component = path_component(destination.name);
    if (destination.type == DestinationType::Firehose) component += ".log";
    if (component.size() <= kMaxFileNameBytes) return std::nullopt;
    return "is too long for a file name under --chatlog-dir: it becomes " +
           std::to_string(component.size()) + " bytes (characters outside [A-Za-z0-9._-] take " +
           "3 each), at most " + std::to_string(kMaxFileNameBytes);
}

std::string s3_object_key(std::string_view account, std::string_view region,
                          std::string_view room_id, std::int64_t epoch_millis,
                          std::string_view hash) {
    std::time_t secs = static_cast<std::time_t>(epoch_millis >= 0 ? epoch_millis / 1000
                                                                  : (epoch_millis - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char date_dirs[32], stamp[32];
    std::snprintf(date_dirs, sizeof date_dirs, "%04d/%02d/%02d/%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
    std::snprintf(stamp, sizeof stamp, "%04d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min);
    const std::string acct = path_component(account);
    const std::string reg = path_component(region);
    const std::string room = path_component(room_id);
    return "AWSLogs/" + acct + "/IVSChatLogs/1.0/" + reg + "/room_" + room + "/" + date_dirs + "/" +
           acct + "_IVSChatLogs_1.0_" + reg + "_room_" + room + "_" + stamp + "_" +
           path_component(hash) + ".log.gz";
}

std::filesystem::path s3_object_path(const std::filesystem::path& root, std::string_view bucket,
                                     std::string_view key) {
    return root / "s3" / path_component(bucket) / std::filesystem::path(key);
}

std::filesystem::path cloudwatch_stream_path(const std::filesystem::path& root,
                                             std::string_view log_group, std::string_view room_id) {
    return root / "cloudwatch" / path_component(log_group) / "aws" / "IVSChatLogs" / "1.0" /
           ("room_" + path_component(room_id) + ".log");
}

std::filesystem::path firehose_stream_path(const std::filesystem::path& root,
                                           std::string_view delivery_stream) {
    return root / "firehose" / (path_component(delivery_stream) + ".log");
}

}  // namespace parley::chatlog
