#include "bus/redis_url.hpp"

#include <charconv>

namespace parley::bus {

namespace {
bool parse_int(std::string_view s, int& out, int lo, int hi) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= lo && out <= hi;
}
}  // namespace

std::optional<RedisUrl> parse_redis_url(const std::string& url) {
    constexpr std::string_view scheme = "redis://";
    if (url.rfind(scheme, 0) != 0) return std::nullopt;
    std::string_view rest(url);
    rest.remove_prefix(scheme.size());
    RedisUrl out;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        auto userinfo = rest.substr(0, at);
        // redis://:password@ (no user) or redis://user:password@ (the user is ignored: AUTH
        // with one argument, as Redis before ACLs expects).
        auto colon = userinfo.find(':');
        out.password =
            std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
        rest.remove_prefix(at + 1);
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        auto db = rest.substr(slash + 1);
        if (!db.empty() && !parse_int(db, out.db, 0, 1 << 20)) return std::nullopt;
        rest = rest.substr(0, slash);
    }
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        if (!parse_int(rest.substr(colon + 1), out.port, 1, 65535)) return std::nullopt;
        rest = rest.substr(0, colon);
    }
    if (!rest.empty()) out.host = std::string(rest);
    if (out.host == "localhost") out.host = "127.0.0.1";
    return out;
}

}  // namespace parley::bus
