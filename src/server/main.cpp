// parleyd: a self-hosted, wire-compatible Amazon IVS Chat server.
#include <spdlog/spdlog.h>

#include <iostream>

#include "server/parley_server.hpp"
#include "server/server_config.hpp"

int main(int argc, char** argv) {
    parley::server::ServerConfig config;
    if (auto code = parley::server::parse_command_line(argc, argv, config)) return *code;
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    try {
        parley::server::ParleyServer server(std::move(config));
        server.start();
        server.run_until_signalled();
    } catch (const std::exception& e) {
        spdlog::critical("parleyd: {}", e.what());
        return 1;
    }
    return 0;
}
