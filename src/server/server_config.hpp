#pragma once
// Everything parleyd can be told on its command line (or in a config file).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace parley::server {

struct HostPort {
    std::string host;
    unsigned short port = 0;
};

struct ServerConfig {
    HostPort api_listen{"127.0.0.1", 8080};
    HostPort chat_listen{"127.0.0.1", 8081};
    std::filesystem::path data_dir = "parley-data";
    std::string region = "us-east-1";
    std::string account_id = "123456789012";
    unsigned threads = 0;  // 0: one event loop per core
    int token_ttl_minutes = 60;
    int token_key_rotation_hours = 24;  // 0: never rotate automatically
    std::size_t max_rooms = 50000;
    std::size_t max_logging_configurations = 10;
    std::size_t max_connections = 50000;
    std::size_t max_pending_connections = 4096;
    std::size_t max_api_connections = 10000;
    std::size_t max_frame_bytes = 64 * 1024;
    std::size_t max_outbound_bytes = 1024 * 1024;
    std::string io_uring = "auto";      // auto | off: batched chat writes
    std::size_t room_affinity = 1000;   // members of a room kept on one event loop; 0: off
    std::string lambda_endpoint;        // message review handler: Lambda Invoke API base URL
    std::string lambda_ca_file;         // extra trusted CAs (PEM) for an https lambda_endpoint
    std::filesystem::path chatlog_dir;  // default <data-dir>/chatlogs
    // --- Chat log destinations (issue 14): empty endpoint = the local files under chatlog_dir.
    std::string s3_endpoint;        // URL or "aws"
    std::string logs_endpoint;      // CloudWatch Logs: URL or "aws"
    std::string firehose_endpoint;  // URL or "aws"
    std::string chatlog_region;     // SigV4 region; "" = from an amazonaws.com host, else region
    std::string s3_addressing = "auto";  // auto | path | virtual
    std::string chatlog_ca_file;         // extra trusted CAs (PEM) for https destinations
    std::uint64_t chatlog_spool_max_bytes = 1ULL << 30;
    unsigned chatlog_s3_batch_seconds = 30;
    bool delivers_chat_logs() const {
        return !s3_endpoint.empty() || !logs_endpoint.empty() || !firehose_endpoint.empty();
    }
    // --- end chat log destinations
    std::string log_level = "info";
    // "sqlite" (the database under data_dir) or postgresql://user[:password]@host[:port]/db.
    std::string store = "sqlite";
    // The 32-byte master key (64 hex) that wraps token keys in a PostgreSQL store: from
    // PARLEY_MASTER_KEY, else from this file. Required with PostgreSQL.
    std::string master_key_file;
    // "local" (in process) or redis://[:password@]host[:port][/db], the cluster's chat bus.
    std::string bus = "local";
    // The web console at /console/ on the API door, and where its built files are (empty: the
    // directory "console" beside the parleyd executable, where `make build` puts them).
    bool console = true;
    std::filesystem::path console_dir;
    // ---- TLS (issue 11) ----
    // PEM certificate chain and key. tls_* apply to both doors; the per-door ones override them.
    std::string tls_cert, tls_key;
    std::string chat_tls_cert, chat_tls_key;
    std::string api_tls_cert, api_tls_key;
    // "text" (human-readable lines) or "json" (one JSON object per line).
    std::string log_format = "text";
    // Message history (docs/extensions.md): per room, at most this many messages of at most
    // this age; 0 in either turns history off.
    std::size_t history_messages = 100;
    int history_minutes = 1440;
    bool uses_postgresql() const { return store != "sqlite"; }
};

// Parses argv. On --help or a bad argument prints to stdout/stderr and returns the exit code
// to stop with; otherwise nullopt and `out` is filled.
std::optional<int> parse_command_line(int argc, char** argv, ServerConfig& out);

std::optional<HostPort> parse_host_port(const std::string& s);

}  // namespace parley::server
