#include "load_options.hpp"

#include <charconv>
#include <string_view>

namespace parley::load {

namespace {

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        auto comma = s.find(',', pos);
        auto part =
            s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

bool parse_size(std::string_view s, std::size_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(const std::string& s, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(s, &used);
        return used == s.size() && out >= 0;
    } catch (...) {
        return false;
    }
}

}  // namespace

std::string usage() {
    return R"(parley-load - load generator for parleyd (loopback targets only)

usage: parley-load <command> [options]

commands:
  fanout      rooms of N connections; senders publish at rising rates; receivers measure
              deliveries/s, end-to-end latency and losses
  idle        opens N idle connections and reports the server's RSS per connection
  tokens      signed CreateChatToken requests over keep-alive connections: req/s, latency
  rooms       signed CreateRoom requests, as tokens does (the rooms are left in place: run it
              against a throwaway server, under its --max-rooms)
  wrk-script  writes a wrk Lua script replaying one pre-signed CreateChatToken request

options:
  --api URL                 control API (default http://127.0.0.1:8080)
  --chat URL                chat WebSocket endpoint (default ws://127.0.0.1:8081); wss://
                            for a server with TLS on the chat door
  --ca FILE                 PEM CA certificates trusted for a wss:// --chat (default: the
                            system's trust store)
  --region NAME             SigV4 region (default us-east-1)
  --credentials-file PATH   AWS shared-credentials file (default: PARLEY_ACCESS_KEY_ID /
                            PARLEY_SECRET_ACCESS_KEY from the environment)
  --connections N           fanout: total (default 2000); idle: default 20000;
                            tokens, rooms: concurrent HTTP connections (default 16)
  --rooms N                 fanout: connections are split over N rooms (default 1)
  --senders N               fanout: sending connections per room (default 1; raised so no
                            connection exceeds the service's 10 requests/s)
  --rate R1,R2,...          fanout: aggregate messages/s over all rooms, one phase per value
                            (default 25,50,75,100)
  --duration S              seconds per phase / run / hold (default 10)
  --room-rate N             maximumMessageRatePerSecond of created rooms (1-100, default 100)
  --message-chars N         fanout: Content length (default 100)
  --source-addresses LIST   loopback addresses to bind client sockets to, comma-separated;
                            an item may be a range 127.0.0.2-127.0.0.9 (default 127.0.0.1)
  --threads N               client event loops (default 1)
  --processes N             idle: client processes (default: what the open-file limit needs)
  --server-pid PID          read RSS / CPU time of this process from /proc
  --concurrency N           setup requests / handshakes in flight (default 64)
  --presigned               tokens: sign once and replay the request (what wrk does)
  --out PATH                wrk-script: output file (default parley-wrk.lua)
)";
}

ParsedOptions parse_options(int argc, char** argv) {
    ParsedOptions r;
    LoadOptions o;
    if (argc < 2) {
        r.error = "a command is required";
        return r;
    }
    o.command = argv[1];
    if (o.command == "-h" || o.command == "--help" || o.command == "help") {
        r.help = true;
        return r;
    }
    if (o.command != "fanout" && o.command != "idle" && o.command != "tokens" &&
        o.command != "rooms" && o.command != "wrk-script") {
        r.error = "unknown command '" + o.command + "'";
        return r;
    }
    for (int i = 2; i < argc; ++i) {
        std::string name = argv[i];
        if (name == "-h" || name == "--help") {
            r.help = true;
            return r;
        }
        if (name == "--presigned") {
            o.presigned = true;
            continue;
        }
        if (i + 1 >= argc) {
            r.error = name + " needs a value";
            return r;
        }
        std::string value = argv[++i];
        bool ok = true;
        std::size_t n = 0;
        if (name == "--api") {
            o.api = value;
        } else if (name == "--chat") {
            o.chat = value;
        } else if (name == "--ca") {
            o.ca_file = value;
        } else if (name == "--region") {
            o.region = value;
        } else if (name == "--credentials-file") {
            o.credentials_file = value;
        } else if (name == "--connections") {
            ok = parse_size(value, o.connections) && o.connections > 0;
        } else if (name == "--rooms") {
            ok = parse_size(value, o.rooms) && o.rooms > 0;
        } else if (name == "--senders") {
            ok = parse_size(value, o.senders) && o.senders > 0;
        } else if (name == "--rate") {
            o.rates.clear();
            for (const auto& item : split_list(value)) {
                double d = 0;
                ok = ok && parse_double(item, d) && d > 0;
                o.rates.push_back(d);
            }
            ok = ok && !o.rates.empty();
        } else if (name == "--duration") {
            ok = parse_double(value, o.duration_s) && o.duration_s > 0 && o.duration_s <= 3600;
        } else if (name == "--room-rate") {
            ok = parse_size(value, n) && n >= 1 && n <= 100;
            o.room_rate = static_cast<int>(n);
        } else if (name == "--message-chars") {
            ok = parse_size(value, o.message_chars) && o.message_chars >= 32 &&
                 o.message_chars <= 500;
        } else if (name == "--source-addresses") {
            o.source_addresses = split_list(value);
            ok = !o.source_addresses.empty();
        } else if (name == "--threads") {
            ok = parse_size(value, o.threads) && o.threads >= 1 && o.threads <= 64;
        } else if (name == "--processes") {
            ok = parse_size(value, o.processes) && o.processes >= 1 && o.processes <= 64;
        } else if (name == "--server-pid") {
            ok = parse_size(value, n) && n > 0 && n < (1u << 22);
            o.server_pid = static_cast<int>(n);
        } else if (name == "--concurrency") {
            ok = parse_size(value, o.concurrency) && o.concurrency >= 1 && o.concurrency <= 4096;
        } else if (name == "--out") {
            o.out = value;
        } else {
            r.error = "unknown option " + name;
            return r;
        }
        if (!ok) {
            r.error = "bad value for " + name + ": '" + value + "'";
            return r;
        }
    }
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
