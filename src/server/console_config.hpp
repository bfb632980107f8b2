#pragma once
// What the Parley Console is told about the server it runs against (/console/config.json): the
// chat door's URL and what the Server page shows besides the metrics.
#include <cstdint>
#include <filesystem>
#include <string>

namespace parley::server {

struct ConsoleFacts {
    std::string chat_url;         // ws://HOST:PORT as a client on this machine reaches it
    bool chat_wildcard = false;   // the chat door listens on every address
    std::string region;           // the server's region (ARNs; SDK clients may sign any)
    std::string store;            // "sqlite" or "postgresql"
    std::string bus;              // "local" or "redis"
    std::int64_t started_ms = 0;  // epoch milliseconds
};

std::string render_console_config(const ConsoleFacts& facts, std::int64_t now_ms);

// Where `make build` puts the console: "console" beside the running executable.
std::filesystem::path default_console_dir();

}  // namespace parley::server
