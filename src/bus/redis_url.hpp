#pragma once
// redis://[:password@]host[:port][/db], the --bus value for a Redis bus.
#include <optional>
#include <string>

namespace parley::bus {

struct RedisUrl {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;  // empty: no AUTH
    int db = 0;            // for the keys (token claims, rate buckets); channels ignore it
};

// nullopt when `url` is not a redis:// URL of that shape.
std::optional<RedisUrl> parse_redis_url(const std::string& url);

}  // namespace parley::bus
