#include "server/console_config.hpp"

#include <system_error>

#include "model/json_codec.hpp"
#include "model/value.hpp"
#include "model/version.hpp"

namespace parley::server {

std::string render_console_config(const ConsoleFacts& facts, std::int64_t now_ms) {
    auto v = model::Value::structure({
        {"version", std::string(model::kParleyVersion)},
        {"chatUrl", facts.chat_url},
        // The console then takes the host from its own address (a browser elsewhere cannot
        // reach the loopback address shown in chatUrl).
        {"chatListensOnEveryAddress", facts.chat_wildcard},
        {"region", facts.region},
        {"store", facts.store},
        {"bus", facts.bus},
        {"startedAt", facts.started_ms},
        {"uptimeSeconds", (now_ms - facts.started_ms) / 1000},
    });
    return model::to_json(v);
}

std::filesystem::path default_console_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "console";
    return exe.parent_path() / "console";
}

}  // namespace parley::server
