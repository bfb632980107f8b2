#include "server/server_config.hpp"
#include "bus/redis_url.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <tuple>

#include "model/version.hpp"

namespace parley::server {

std::optional<HostPort> parse_host_port(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
    std::string host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(s.substr(colon + 1), &used);
        if (used != s.size() - colon - 1 || port > 65535) return std::nullopt;
    } catch (...) {
        return std::nullopt;
    }
    return HostPort{host, static_cast<unsigned short>(port)};
}

std::optional<int> parse_command_line(int argc, char** argv, ServerConfig& out) {
    CLI::App app{
        "parleyd - a self-hosted, wire-compatible Amazon IVS Chat server.\n\n"
        "Serves the IVS Chat control-plane API (restJson1, SigV4) on --api-listen and the IVS "
        "Chat\n"
        "Messaging WebSocket API on --chat-listen. State lives in SQLite under --data-dir, or in\n"
        "PostgreSQL shared by several nodes (--store postgresql://..., see docs/cluster.md).\n"
        "Credentials: PARLEY_ACCESS_KEY_ID / PARLEY_SECRET_ACCESS_KEY; when unset they are\n"
        "generated on first start into <data-dir>/credentials (mode 0600) and printed once.\n"
        "GET /healthz (200 when ready) and GET /metrics (Prometheus text) are served on the API "
        "door\n"
        "without authentication.",
        "parleyd"};
    app.set_config("--config", "",
                   "Read options from a TOML/INI file (same names as the flags, without the "
                   "dashes; see parley.example.toml). Unknown keys are an error");
    // A typo in a config file must stop the start, never silently run on defaults.
    app.allow_config_extras(CLI::config_extras_mode::error);
    app.set_version_flag("--version", std::string("parleyd ") + model::kParleyVersion);
    app.get_formatter()->column_width(36);

    std::string api = out.api_listen.host + ":" + std::to_string(out.api_listen.port);
    std::string chat = out.chat_listen.host + ":" + std::to_string(out.chat_listen.port);
    std::string data_dir = out.data_dir.string();
    std::string chatlog_dir;

    app.add_option("--api-listen", api, "HOST:PORT of the control-plane HTTP API")
        ->capture_default_str();
    app.add_option("--chat-listen", chat, "HOST:PORT of the messaging WebSocket endpoint")
        ->capture_default_str();
    app.add_option("--data-dir", data_dir, "Directory for the database, keys and credentials")
        ->capture_default_str();
    app.add_option("--region", out.region,
                   "Region embedded in ARNs (SigV4 credential scopes may name any region)")
        ->capture_default_str()
        ->check([](const std::string& s) {
            for (char c : s)
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                    return std::string("region must match [a-z0-9-]+");
            return s.empty() ? std::string("region must not be empty") : std::string();
        });
    app.add_option("--account-id", out.account_id, "12-digit account id embedded in ARNs")
        ->capture_default_str()
        ->check([](const std::string& s) {
            if (s.size() != 12) return std::string("account id must be 12 digits");
            for (char c : s)
                if (c < '0' || c > '9') return std::string("account id must be 12 digits");
            return std::string();
        });
    app.add_option("--threads", out.threads, "Event-loop threads (0 = one per core)")
        ->capture_default_str()
        ->check(CLI::Range(0u, 256u));
    app.add_option("--token-ttl-minutes", out.token_ttl_minutes,
                   "How long a chat token may be used to connect (capped at the session end)")
        ->capture_default_str()
        ->check(CLI::Range(1, 180));
    app.add_option("--token-key-rotation-hours", out.token_key_rotation_hours,
                   "Seal new chat tokens with a fresh key this often; retired keys are kept until "
                   "their tokens expired (0 = never)")
        ->capture_default_str()
        ->check(CLI::Range(0, 24 * 365));
    app.add_option("--max-rooms", out.max_rooms,
                   "Room quota (ServiceQuotaExceededException past it)")
        ->capture_default_str();
    app.add_option("--max-logging-configurations", out.max_logging_configurations,
                   "Logging-configuration quota")
        ->capture_default_str();
    app.add_option("--max-connections", out.max_connections,
                   "Concurrent chat connections accepted (all rooms)")
        ->capture_default_str();
    app.add_option("--max-pending-connections", out.max_pending_connections,
                   "Chat connections still in their opening handshake (5 s at most each); past "
                   "it a new connection gets 503. They do not count against --max-connections")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    app.add_option(
           "--max-api-connections", out.max_api_connections,
           "Concurrent control-API connections; past it a connection gets 503 and is closed")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    app.add_option(
           "--max-frame-bytes", out.max_frame_bytes,
           "Largest client WebSocket message accepted; larger ones close the connection (1009)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1024}, std::size_t{16} * 1024 * 1024));
    app.add_option("--max-outbound-bytes", out.max_outbound_bytes,
                   "Per-connection send queue limit; a reader further behind is disconnected")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{16} * 1024, std::size_t{1} << 30));
    app.add_option("--io-uring", out.io_uring,
                   "auto: a loop pass's chat writes go to the kernel in one io_uring submission "
                   "where the kernel allows it (else one send() each, logged at start); off: "
                   "always one send() each")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "off"}));
    app.add_option("--room-affinity", out.room_affinity,
                   "With several --threads: a room's chat connections gather on one event loop "
                   "up to this many, so its messages are fanned out without a hand-off between "
                   "loops; members past it go to the loop with the fewest connections. 0: each "
                   "connection stays on the loop that accepted it (round robin)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{10000000}));
    app.add_option("--lambda-endpoint", out.lambda_endpoint,
                   "Base URL (http[s]://HOST[:PORT][/PATH]) of a Lambda Invoke API (AWS Lambda "
                   "itself, e.g. https://lambda.us-east-1.amazonaws.com, the Lambda Runtime "
                   "Interface Emulator, or any compatible service) called for rooms with a "
                   "messageReviewHandler: POST /2015-03-31/functions/<function ARN>/invocations, "
                   "SigV4-signed (service lambda, region of the ARN) with "
                   "PARLEY_LAMBDA_ACCESS_KEY_ID / PARLEY_LAMBDA_SECRET_ACCESS_KEY, else the API "
                   "credentials. 200 ms budget. https certificates are verified against the "
                   "system trust store (and --lambda-ca-file). Unset: such rooms get their "
                   "fallbackResult for every message");
    app.add_option("--lambda-ca-file", out.lambda_ca_file,
                   "PEM file of extra CA certificates trusted for an https --lambda-endpoint "
                   "(a private endpoint or a self-signed certificate), on top of the system "
                   "trust store");
    app.add_option("--chatlog-dir", chatlog_dir,
                   "Where chat-logging destinations are written (default <data-dir>/chatlogs): "
                   "s3/<bucket>/AWSLogs/... (.log.gz objects), "
                   "cloudwatch/<log group>/aws/IVSChatLogs/1.0/room_<id>.log, "
                   "firehose/<stream>.log; names are percent-encoded into one directory level "
                   "(log group /a/b -> %2Fa%2Fb)");
    // --- Chat log destinations (issue 14) ---
    app.add_option("--s3-endpoint", out.s3_endpoint,
                   "Upload S3 chat log objects with PutObject to this S3-compatible endpoint "
                   "(http[s]://HOST[:PORT], e.g. MinIO, Ceph, Garage) or to AWS S3 (aws: "
                   "https://s3.<region>.amazonaws.com). Objects are spooled under "
                   "<chatlog-dir>/spool first and removed after a 2xx. Credentials: "
                   "PARLEY_LOG_ACCESS_KEY_ID / PARLEY_LOG_SECRET_ACCESS_KEY. http:// only for a "
                   "loopback host. Unset: the local files under --chatlog-dir");
    app.add_option("--logs-endpoint", out.logs_endpoint,
                   "Send CloudWatch Logs records with PutLogEvents (CreateLogStream when missing) "
                   "to this endpoint URL, or to AWS (aws: https://logs.<region>.amazonaws.com). "
                   "Unset: the local files");
    app.add_option("--firehose-endpoint", out.firehose_endpoint,
                   "Send Firehose records with PutRecordBatch to this endpoint URL, or to AWS "
                   "(aws: https://firehose.<region>.amazonaws.com). Unset: the local files");
    app.add_option("--chatlog-region", out.chatlog_region,
                   "SigV4 signing region of the chat log endpoints (and of aws endpoints). "
                   "Default: the region in an *.amazonaws.com endpoint host, else --region");
    app.add_option("--s3-addressing", out.s3_addressing,
                   "S3 request style: auto (virtual-hosted for aws, path-style for a URL), path "
                   "(HOST/bucket/key) or virtual (bucket.HOST/key)")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "path", "virtual"}));
    app.add_option("--chatlog-ca-file", out.chatlog_ca_file,
                   "PEM file of extra CA certificates trusted for https chat log endpoints");
    app.add_option("--chatlog-spool-max-bytes", out.chatlog_spool_max_bytes,
                   "Most bytes of chat logs spooled for upload; beyond it the oldest entries are "
                   "dropped (parley_chatlog_destination_dropped_total)")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{64} * 1024, std::uint64_t{1} << 50));
    app.add_option("--chatlog-s3-batch-seconds", out.chatlog_s3_batch_seconds,
                   "How long an S3 log object collects records before it is written (or 1 MiB)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 3600u));
    // --- end chat log destinations ---
    app.add_option("--store", out.store,
                   "Where control-plane state lives: sqlite (a database under --data-dir) or "
                   "postgresql://user[:password]@host[:port]/database, shared by every node of a "
                   "cluster (see docs/cluster.md). Also read from PARLEY_STORE when absent, so "
                   "that a password need not appear in argv")
        ->capture_default_str();
    app.add_option("--bus", out.bus,
                   "How chat reaches the other nodes: local (one node, in process) or "
                   "redis://[:password@]host[:port][/db], shared by every node of a cluster with "
                   "a postgresql:// store (see docs/cluster.md). Also read from PARLEY_BUS when "
                   "absent")
        ->capture_default_str();
    app.add_option("--master-key-file", out.master_key_file,
                   "File holding the 64-hex-character master key that wraps the token keys kept "
                   "in a PostgreSQL store (PARLEY_MASTER_KEY takes precedence); required with "
                   "--store postgresql://...");
    // Parley Console (issue 13).
    std::string console_dir;
    app.add_flag("--console,!--no-console", out.console,
                 "Serve the web console at /console/ on the API door (on by default; "
                 "--no-console turns it off)");
    app.add_option("--console-dir", console_dir,
                   "Directory of the built console (default: \"console\" beside the parleyd "
                   "executable, where make build puts it)");
    // ---- TLS and log format (issue 11) ----
    app.add_option("--tls-cert", out.tls_cert,
                   "PEM certificate chain (server certificate first) served on both doors: "
                   "wss:// and https:// instead of ws:// and http://. Needs --tls-key. Reloaded on "
                   "SIGHUP and when the file changes (new connections get the new certificate)");
    app.add_option("--tls-key", out.tls_key, "PEM private key of --tls-cert");
    app.add_option("--chat-tls-cert", out.chat_tls_cert,
                   "PEM certificate chain for the chat door only (overrides --tls-cert there)");
    app.add_option("--chat-tls-key", out.chat_tls_key, "PEM private key of --chat-tls-cert");
    app.add_option("--api-tls-cert", out.api_tls_cert,
                   "PEM certificate chain for the API door only (overrides --tls-cert there)");
    app.add_option("--api-tls-key", out.api_tls_key, "PEM private key of --api-tls-cert");
    app.add_option("--log-format", out.log_format,
                   "text, or json: one JSON object per line (time, level, msg)")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    // ---- message history (docs/extensions.md) ----
    app.add_option("--history-messages", out.history_messages,
                   "Messages kept per room for ?history=N backfill and ListRoomMessages "
                   "(0 = no history)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{10000}));
    app.add_option("--history-minutes", out.history_minutes,
                   "How long a message stays in a room's history (0 = no history)")
        ->capture_default_str()
        ->check(CLI::Range(0, 60 * 24 * 365));
    app.add_option("--log-level", out.log_level, "trace, debug, info, warn, error")
        ->capture_default_str()
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ConfigError& e) {
        // CLI11 says "INI was not able to parse KEY"; say what it means for a parleyd config.
        std::string what = e.what();
        const std::string prefix = "INI was not able to parse ";
        if (what.rfind(prefix, 0) == 0) {
            std::string key = what.substr(prefix.size());
            const std::string section_mark = ".++";  // how CLI11 reports a [section] line
            if (key.size() > section_mark.size() &&
                key.compare(key.size() - section_mark.size(), section_mark.size(), section_mark) ==
                    0)
                what = "unknown section [" + key.substr(0, key.size() - section_mark.size()) +
                       "] (parleyd's keys are all top-level)";
            else
                what = "unknown key '" + key +
                       "' (keys are the long flags without dashes, e.g. api-listen; see "
                       "parleyd --help)";
        }
        std::cerr << "parleyd: bad --config file: " << what << "\n";
        return 2;
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (app.count("--store") == 0) {
        if (const char* env = std::getenv("PARLEY_STORE"); env != nullptr && *env != '\0')
            out.store = env;
    }
    if (out.store.empty()) out.store = "sqlite";
    if (out.store != "sqlite" && out.store.rfind("postgresql://", 0) != 0 &&
        out.store.rfind("postgres://", 0) != 0) {
        std::cerr << "parleyd: --store takes sqlite or postgresql://user[:password]@host[:port]/db"
                  << "\n";
        return 2;
    }
    if (app.count("--bus") == 0) {
        if (const char* env = std::getenv("PARLEY_BUS"); env != nullptr && *env != '\0')
            out.bus = env;
    }
    if (out.bus.empty()) out.bus = "local";
    if (out.bus != "local" && !bus::parse_redis_url(out.bus)) {
        std::cerr << "parleyd: --bus takes local or redis://[:password@]host[:port][/db]\n";
        return 2;
    }
    if (out.bus != "local" && !out.uses_postgresql()) {
        std::cerr << "parleyd: --bus redis://... needs a shared --store postgresql://...\n";
        return 2;
    }
    // ---- TLS (issue 11): a certificate needs its key and the other way round ----
    for (auto [cert, key, name] :
         {std::tuple{&out.tls_cert, &out.tls_key, "--tls-cert and --tls-key"},
          std::tuple{&out.chat_tls_cert, &out.chat_tls_key, "--chat-tls-cert and --chat-tls-key"},
          std::tuple{&out.api_tls_cert, &out.api_tls_key, "--api-tls-cert and --api-tls-key"}}) {
        if (cert->empty() != key->empty()) {
            std::cerr << "parleyd: " << name << " go together (a PEM certificate and its key)\n";
            return 2;
        }
    }
    if (out.chat_tls_cert.empty()) {
        out.chat_tls_cert = out.tls_cert;
        out.chat_tls_key = out.tls_key;
    }
    if (out.api_tls_cert.empty()) {
        out.api_tls_cert = out.tls_cert;
        out.api_tls_key = out.tls_key;
    }
    auto a = parse_host_port(api);
    auto c = parse_host_port(chat);
    if (!a || !c) {
        std::cerr
            << "parleyd: --api-listen and --chat-listen take HOST:PORT, e.g. 127.0.0.1:8080\n";
        return 2;
    }
    out.api_listen = *a;
    out.chat_listen = *c;
    out.data_dir = data_dir;
    out.console_dir = console_dir;
    out.chatlog_dir =
        chatlog_dir.empty() ? out.data_dir / "chatlogs" : std::filesystem::path(chatlog_dir);
    return std::nullopt;
}

}  // namespace parley::server
