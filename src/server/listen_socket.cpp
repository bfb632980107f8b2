#include "server/listen_socket.hpp"

#include <stdexcept>

namespace parley::server {

namespace asio = boost::asio;

asio::ip::tcp::acceptor bind_listener(asio::io_context& ctx, const HostPort& where,
                                      std::string_view flag) {
    auto fail = [&](const std::string& why) {
        return std::runtime_error(
            "cannot listen on " + std::string(flag) + " " +
            (where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host) +
            ":" + std::to_string(where.port) + ": " + why);
    };
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(where.host == "localhost" ? "127.0.0.1" : where.host, ec);
    if (ec) throw fail("not an IP address (give a numeric address such as 127.0.0.1 or ::1)");
    asio::ip::tcp::endpoint ep{addr, where.port};
    asio::ip::tcp::acceptor acceptor(ctx);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw fail(ec.message());
    return acceptor;
}

std::string client_host_port(const asio::ip::tcp::endpoint& ep) {
    auto addr = ep.address();
    if (addr.is_unspecified())
        addr = addr.is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                            : asio::ip::address(asio::ip::address_v4::loopback());
    auto host = addr.to_string();
    if (addr.is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(ep.port());
}

}  // namespace parley::server
