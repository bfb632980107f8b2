#pragma once
// Binding the two doors, done first at start-up: a busy port is reported before anything is
// written to the data directory.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "server/server_config.hpp"

namespace parley::server {

// A listening acceptor on `where`; throws std::runtime_error naming `flag` on failure.
boost::asio::ip::tcp::acceptor bind_listener(boost::asio::io_context& ctx, const HostPort& where,
                                             std::string_view flag);

// How a client reaches a listener: "127.0.0.1:8080", "[::1]:8080"; a wildcard address (0.0.0.0,
// ::) is shown as the matching loopback address, which reaches it from this machine.
std::string client_host_port(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace parley::server
