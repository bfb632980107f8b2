#pragma once
// Client sockets bound to a chosen loopback source address before connect():
// each 127.0.0.N has its own ephemeral port range, so tens of thousands of
// connections to one server port do not exhaust ports. IP_BIND_ADDRESS_NO_PORT
// defers the port choice to connect(), so the port only has to be unique for
// the full 4-tuple.
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace parley::load {

boost::system::error_code open_bound(boost::asio::ip::tcp::socket& socket,
                                     const boost::asio::ip::address_v4& source);

}  // namespace parley::load
