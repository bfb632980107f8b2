#include "model/patterns.hpp"

#include "model/identifiers.hpp"

namespace parley::model {

namespace {
bool lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool digit(char c) {
    return c >= '0' && c <= '9';
}
bool alnum(char c) {
    return lower(c) || upper(c) || digit(c);
}

template <typename Pred>
bool all_of(std::string_view s, Pred p) {
    for (char c : s)
        if (!p(c)) return false;
    return true;
}
}  // namespace

bool is_room_arn(std::string_view s) {
    auto p = parse_arn(s);
    return p && p->resource_type == "room";
}

bool is_logging_configuration_arn(std::string_view s) {
    auto p = parse_arn(s);
    return p && p->resource_type == "logging-configuration";
}

bool is_resource_name(std::string_view s) {
    return all_of(s, [](char c) { return alnum(c) || c == '-' || c == '_'; });
}

bool is_alnum_id(std::string_view s) {
    return !s.empty() && all_of(s, alnum);
}

bool is_lambda_arn_or_empty(std::string_view s) {
    if (s.empty()) return true;
    constexpr std::string_view prefix = "arn:aws:lambda:";
    if (s.substr(0, prefix.size()) != prefix) return false;
    s.remove_prefix(prefix.size());
    auto c = s.find(':');
    if (c == std::string_view::npos || c == 0) return false;
    if (!all_of(s.substr(0, c), [](char ch) { return lower(ch) || digit(ch) || ch == '-'; }))
        return false;
    s.remove_prefix(c + 1);
    if (s.size() < 13 || !all_of(s.substr(0, 12), digit) || s[12] != ':') return false;
    s.remove_prefix(13);
    constexpr std::string_view fn = "function:";
    if (s.substr(0, fn.size()) != fn) return false;
    return s.size() > fn.size();
}

bool is_bucket_name(std::string_view s) {
    return !s.empty() &&
           all_of(s, [](char c) { return lower(c) || digit(c) || c == '-' || c == '.'; });
}

bool is_log_group_name(std::string_view s) {
    return !s.empty() && all_of(s, [](char c) {
        return alnum(c) || c == '.' || c == '-' || c == '_' || c == '/' || c == '#';
    });
}

bool is_delivery_stream_name(std::string_view s) {
    return !s.empty() &&
           all_of(s, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

}  // namespace parley::model
