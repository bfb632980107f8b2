#include "net/http_endpoint.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <cctype>

namespace parley::net {

namespace {
std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

std::optional<HttpEndpoint> parse_http_endpoint(std::string_view url, std::string& error) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        error = "not a URL";
        return std::nullopt;
    }
    const auto& u = *parsed;
    auto scheme = lowercase(u.scheme());
    if (scheme != "http" && scheme != "https") {
        error = "the scheme must be http:// or https://";
        return std::nullopt;
    }
    if (u.has_userinfo() || u.has_query() || u.has_fragment()) {
        error = "user info, query and fragment are not allowed";
        return std::nullopt;
    }
    HttpEndpoint e;
    e.tls = scheme == "https";
    const std::string default_port = e.tls ? "443" : "80";
    switch (u.host_type()) {
        case boost::urls::host_type::ipv6:
            e.host = u.host_ipv6_address().to_string();
            break;
        case boost::urls::host_type::ipv4:
            e.host = u.host_ipv4_address().to_string();
            break;
        case boost::urls::host_type::name:
            e.host = lowercase(u.host_name());
            break;
        default:
            break;
    }
    if (e.host.empty()) {
        error = "the URL has no host";
        return std::nullopt;
    }
    e.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
    if (e.port.find_first_not_of("0123456789") != std::string::npos || e.port.size() > 5 ||
        std::stoul(e.port) == 0 || std::stoul(e.port) > 65535) {
        error = "bad port";
        return std::nullopt;
    }
    e.base_path = std::string(u.encoded_path());
    while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
    std::string host_part =
        u.host_type() == boost::urls::host_type::ipv6 ? "[" + e.host + "]" : e.host;
    e.host_header = e.port == default_port ? host_part : host_part + ":" + e.port;
    return e;
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host.ends_with(".localhost")) return true;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

std::string resolvable_name(std::string_view host) {
    if (host.ends_with(".localhost")) return "localhost";
    return std::string(host);
}

}  // namespace parley::net
