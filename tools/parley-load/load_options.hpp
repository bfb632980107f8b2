#pragma once
// Command-line options of parley-load, parsed with CLI11 (load_options.cpp), shared
// by every scenario so each one reads the same flags the same way.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace parley::load {

struct LoadOptions {
    std::string command;  // fanout | idle | tokens | wrk-script
    std::string api = "http://127.0.0.1:8080";
    std::string chat = "ws://127.0.0.1:8081";
    std::string region = "us-east-1";
    std::string credentials_file;  // AWS shared-credentials file, e.g. DATA/credentials
    std::size_t connections = 0;   // 0: the scenario's default
    std::size_t senders = 1;       // per room; raised to respect the 10 requests/s per connection
    std::size_t rooms = 1;
    std::vector<double> rates;  // aggregate messages/s over all rooms, one phase each
    double duration_s = 10;
    std::size_t threads = 1;
    std::size_t processes = 0;  // idle: 0 = as many as the open-file limit requires
    std::vector<std::string> source_addresses{"127.0.0.1"};
    int server_pid = 0;
    int room_rate = 100;  // maximumMessageRatePerSecond of the rooms the tool creates
    std::size_t message_chars = 100;
    std::size_t history = 0;       // joins: fill the room with N messages and join with ?history=N
    std::size_t concurrency = 64;  // handshakes / token requests in flight during setup
    bool presigned = false;        // tokens: replay one signed request, as wrk does
    // fanout: after a stall of over a second (the tool stopped with SIGSTOP, as bench/threads.sh
    // does), skip the missed sends instead of sending them all at once.
    bool no_catch_up = false;
    // fanout, idle: the server is a benchmark peer (bench/): no control plane, no tokens; the
    // room is the URL path and any subprotocol is echoed.
    bool peer = false;
    std::string out;      // wrk-script: where to write the Lua script
    std::string ca_file;  // --ca: PEM CA certificates trusted for a wss:// --chat
};

struct ParsedOptions {
    std::optional<LoadOptions> options;
    std::string error;  // set when options is empty and help was not asked for
    bool help = false;
};

ParsedOptions parse_options(int argc, char** argv);
std::string usage();

}  // namespace parley::load
