#include "scenario_setup.hpp"

#include <openssl/rand.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <iostream>

#include "credentials_source.hpp"
#include "process_stats.hpp"

namespace parley::load {

std::optional<ScenarioSetup> prepare_scenario(const LoadOptions& o, std::string& error) {
    ScenarioSetup s;
    auto api = parse_loopback_url(o.api, "http", error);
    if (!api) return std::nullopt;
    const bool wss = o.chat.rfind("wss://", 0) == 0;
    auto chat = parse_loopback_url(o.chat, wss ? "wss" : "ws", error);
    if (!chat) return std::nullopt;
    if (wss) {
        namespace ssl = boost::asio::ssl;
        chat->tls = std::make_shared<ssl::context>(ssl::context::tls_client);
        chat->tls->set_verify_mode(ssl::verify_peer);
        boost::system::error_code ec;
        if (o.ca_file.empty())
            chat->tls->set_default_verify_paths(ec);
        else
            chat->tls->load_verify_file(o.ca_file, ec);
        if (ec) {
            error = "--ca " + o.ca_file + ": " + ec.message();
            return std::nullopt;
        }
    }
    auto sources = expand_source_addresses(o.source_addresses, error);
    if (!sources) return std::nullopt;
    if (!o.peer) {  // a peer has no control plane
        auto creds = load_credentials(o.credentials_file, error);
        if (!creds) return std::nullopt;
        s.credentials = std::move(*creds);
    }
    s.api = *api;
    s.chat = *chat;
    s.sources = std::move(*sources);
    s.open_file_limit = raise_open_file_limit();
    return s;
}

void check_server_file_limit(int server_pid, std::uint64_t needed) {
    if (server_pid <= 0) return;
    auto limit = open_file_limit(server_pid);
    if (limit && *limit < needed)
        std::cerr << "warning: the server (pid " << server_pid << ") may open only " << *limit
                  << " files but this run needs about " << needed << "; start it after `ulimit -n "
                  << needed + 1024 << "`\n";
}

std::string run_id() {
    unsigned char b[4];
    RAND_bytes(b, sizeof b);
    char out[9];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    return out;
}

std::string fixed1(double v) {
    char out[32];
    std::snprintf(out, sizeof out, "%.1f", v);
    return out;
}

std::string fixed2(double v) {
    char out[32];
    std::snprintf(out, sizeof out, "%.2f", v);
    return out;
}

}  // namespace parley::load
