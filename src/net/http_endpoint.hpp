#pragma once
// The base URL of an HTTP service Parley calls (the Lambda Invoke API, chat log destinations).
#include <optional>
#include <string>
#include <string_view>

namespace parley::net {

struct HttpEndpoint {
    bool tls = false;         // https://
    std::string host;         // DNS name or IP literal (IPv6 without brackets)
    std::string port;         // "80" (http) or "443" (https) when the URL names none
    std::string base_path;    // "" or "/prefix", no trailing slash
    std::string host_header;  // Host as sent and signed: host, or host:port when not the default
};

// Parses http[s]://host[:port][/base-path]. nullopt, with `error` set, for anything else.
std::optional<HttpEndpoint> parse_http_endpoint(std::string_view url, std::string& error);

// 127.0.0.0/8, ::1, "localhost" or a name under it (RFC 6761: always loopback; see
// resolvable_name): where plain http:// cannot be read or altered on the way.
bool is_loopback_host(std::string_view host);

// The name to resolve for `host`: names under .localhost become "localhost" (RFC 6761 says they
// are loopback; curl and browsers resolve them so, glibc does not), so virtual-hosted S3 buckets
// (<bucket>.s3.localhost) work against a local server without DNS entries.
std::string resolvable_name(std::string_view host);

}  // namespace parley::net
