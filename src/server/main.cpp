// parleyd: a self-hosted, wire-compatible Amazon IVS Chat server.
#include <spdlog/spdlog.h>

#include <csignal>

#include "server/json_log_formatter.hpp"
#include "server/parley_server.hpp"
#include "server/server_config.hpp"

int main(int argc, char** argv) {
    parley::server::ServerConfig config;
    if (auto code = parley::server::parse_command_line(argc, argv, config)) return *code;
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    if (config.log_format == "json")
        spdlog::set_formatter(std::make_unique<parley::server::JsonLogFormatter>());
    else
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    // A file-size limit (ulimit -f) then fails a write with EFBIG, which is reported like a full
    // disk, instead of killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
    parley::server::ParleyServer server(std::move(config));
    try {
        server.start();
    } catch (const std::exception& e) {
        // The reason first, then the clean-up (which may log on its own).
        spdlog::critical("parleyd cannot start: {}", e.what());
        server.stop();
        return 1;
    }
    try {
        server.run_until_signalled();
    } catch (const std::exception& e) {
        spdlog::critical("parleyd: {}", e.what());
        server.stop();
        return 1;
    }
    return 0;
}
