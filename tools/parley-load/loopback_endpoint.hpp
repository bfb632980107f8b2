#pragma once
// Target URLs and client source addresses, restricted to the loopback network:
// a load tool must never be pointed at someone else's server by accident.
#include <boost/asio/ip/address_v4.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace parley::load {

struct Endpoint {
    boost::asio::ip::address_v4 address;
    std::uint16_t port = 0;
    std::string host_header;  // "127.0.0.1:8080", as sent in Host and signed
    // wss:// only: the TLS client settings (peer verified against --ca, or the system's CAs).
    std::shared_ptr<boost::asio::ssl::context> tls;
};

// "http://127.0.0.1:8080" or "ws://localhost:8081" (scheme must be `scheme`);
// nullopt with `error` set for anything that is not 127.0.0.0/8 or localhost.
std::optional<Endpoint> parse_loopback_url(std::string_view url, std::string_view scheme,
                                           std::string& error);

// Items "127.0.0.N" or ranges "127.0.0.2-127.0.0.9", all inside 127.0.0.0/8.
std::optional<std::vector<boost::asio::ip::address_v4>> expand_source_addresses(
    const std::vector<std::string>& items, std::string& error);

}  // namespace parley::load
