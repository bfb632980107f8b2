#include "load_options.hpp"

#include <CLI/CLI.hpp>
#include <sstream>

namespace parley::load {

namespace {

const char* const kDescription =
    "parley-load - load generator for parleyd and the benchmark peers (loopback targets only)";

// Every option is defined once on the top-level app; subcommands fall through to it, so
// `parley-load fanout --rate 100` and `parley-load --rate 100 fanout` read the same.
struct Cli {
    CLI::App app{kDescription, "parley-load"};
    LoadOptions o;
    std::string rates;

    Cli() {
        app.require_subcommand(1);
        app.set_help_all_flag("--help-all", "every option of every command");
        const std::pair<const char*, const char*> commands[] = {
            {"fanout",
             "rooms of N connections; senders publish at rising rates; receivers measure "
             "deliveries/s, end-to-end latency and losses"},
            {"idle", "opens N idle connections and reports the server's RSS per connection"},
            {"joins",
             "join rate of one room: N connections, --concurrency at a time, each closed once "
             "joined (with --history N: once its ?history=N backfill has arrived)"},
            {"tokens",
             "signed CreateChatToken requests over keep-alive connections: req/s, latency"},
            {"rooms",
             "signed CreateRoom requests, as tokens does (the rooms are left in place: run it "
             "against a throwaway server, under its --max-rooms)"},
            {"wrk-script", "writes a wrk Lua script replaying one pre-signed CreateChatToken"},
        };
        for (auto [name, help] : commands)
            app.add_subcommand(name, help)->fallthrough()->callback([this, n = std::string(name)] {
                o.command = n;
            });

        app.add_option("--api", o.api, "control API URL")->capture_default_str();
        app.add_option("--chat", o.chat,
                       "chat WebSocket URL; wss:// for a server with TLS on the chat door")
            ->capture_default_str();
        app.add_option("--ca", o.ca_file,
                       "PEM CA certificates trusted for a wss:// --chat (default: the system's "
                       "trust store)");
        app.add_option("--region", o.region, "SigV4 region")->capture_default_str();
        app.add_option("--credentials-file", o.credentials_file,
                       "AWS shared-credentials file (default: PARLEY_ACCESS_KEY_ID / "
                       "PARLEY_SECRET_ACCESS_KEY from the environment)");
        app.add_option("--connections", o.connections,
                       "fanout: total (default 2000); idle: default 20000; tokens, rooms: "
                       "concurrent HTTP connections (default 16)")
            ->check(CLI::Range(1, 1000000));
        app.add_option("--rooms", o.rooms, "fanout: connections are split over N rooms")
            ->check(CLI::Range(1, 100000))
            ->capture_default_str();
        app.add_option("--senders", o.senders,
                       "fanout: sending connections per room (raised so no connection exceeds "
                       "the service's 10 requests/s)")
            ->check(CLI::Range(1, 100000))
            ->capture_default_str();
        app.add_option("--rate", rates,
                       "fanout: aggregate messages/s over all rooms, one phase per value, "
                       "comma-separated (default 25,50,75,100)");
        app.add_option("--duration", o.duration_s, "seconds per phase / run / hold")
            ->check(CLI::Range(0.001, 3600.0))
            ->capture_default_str();
        app.add_option("--room-rate", o.room_rate,
                       "maximumMessageRatePerSecond of the rooms the tool creates")
            ->check(CLI::Range(1, 100))
            ->capture_default_str();
        app.add_option("--history", o.history,
                       "joins: fill the room with N messages first and join with ?history=N "
                       "(0: plain joins)")
            ->check(CLI::Range(0, 10000));
        app.add_option("--message-chars", o.message_chars, "fanout: Content length")
            ->check(CLI::Range(32, 500))
            ->capture_default_str();
        app.add_option("--source-addresses", o.source_addresses,
                       "loopback addresses to bind client sockets to, comma-separated; an item "
                       "may be a range 127.0.0.2-127.0.0.9 (default 127.0.0.1)")
            ->delimiter(',');
        app.add_option("--threads", o.threads, "client event loops")
            ->check(CLI::Range(1, 64))
            ->capture_default_str();
        app.add_option("--processes", o.processes,
                       "idle: client processes (default: what the open-file limit needs)")
            ->check(CLI::Range(1, 64));
        app.add_option("--server-pid", o.server_pid, "read RSS / CPU time of this process")
            ->check(CLI::Range(1, (1 << 22) - 1));
        app.add_option("--concurrency", o.concurrency, "setup requests / handshakes in flight")
            ->check(CLI::Range(1, 4096))
            ->capture_default_str();
        app.add_flag("--presigned", o.presigned,
                     "tokens: sign once and replay the request (what wrk does)");
        app.add_flag("--no-catch-up", o.no_catch_up,
                     "fanout: after a stall of over 1 s (e.g. the tool stopped with SIGSTOP), "
                     "resume the send schedule from now instead of sending the missed messages "
                     "at once");
        app.add_flag("--peer", o.peer,
                     "fanout, idle: --chat is a benchmark peer from bench/ (uWebSockets, ws) "
                     "speaking the same frames: no control plane, no tokens, the room is the "
                     "URL path");
        app.add_option("--out", o.out, "wrk-script: output file (default parley-wrk.lua)");
    }
};

// "25,50" -> {25, 50}; every value positive.
bool parse_rates(const std::string& list, std::vector<double>& out) {
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            std::size_t used = 0;
            double d = std::stod(item, &used);
            if (used != item.size() || !(d > 0)) return false;
            out.push_back(d);
        } catch (...) {
            return false;
        }
    }
    return !out.empty();
}

}  // namespace

std::string usage() {
    Cli cli;
    return cli.app.help();
}

ParsedOptions parse_options(int argc, char** argv) {
    ParsedOptions r;
    Cli cli;
    try {
        cli.app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        r.help = true;
        return r;
    } catch (const CLI::CallForAllHelp&) {
        r.help = true;
        return r;
    } catch (const CLI::ParseError& e) {
        r.error = e.what();
        return r;
    }
    LoadOptions o = std::move(cli.o);
    if (!cli.rates.empty() && !parse_rates(cli.rates, o.rates)) {
        r.error = "--rate: '" + cli.rates + "' is not a comma-separated list of positive numbers";
        return r;
    }
    if (o.source_addresses.empty()) o.source_addresses = {"127.0.0.1"};
    if (o.connections == 0)
        o.connections = o.command == "idle"                               ? 20000
                        : (o.command == "tokens" || o.command == "rooms") ? 16
                                                                          : 2000;
    if (o.rates.empty()) o.rates = {25, 50, 75, 100};
    if (o.out.empty()) o.out = "parley-wrk.lua";
    if (o.command == "fanout" && o.connections < o.rooms * 2) {
        r.error = "--connections must be at least twice --rooms";
        return r;
    }
    r.options = std::move(o);
    return r;
}

}  // namespace parley::load
