#include "bound_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // linux/in.h; not in every libc's netinet/in.h
#endif

namespace parley::load {

namespace ip = boost::asio::ip;

boost::system::error_code open_bound(ip::tcp::socket& socket, const ip::address_v4& source) {
    boost::system::error_code ec;
    socket.open(ip::tcp::v4(), ec);
    if (ec) return ec;
    int one = 1;
    // Best effort: without it bind() reserves a port per address up front, which
    // still works for up to ~28k connections per source address.
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket.bind(ip::tcp::endpoint(source, 0), ec);
    if (ec) return ec;
    socket.set_option(ip::tcp::no_delay(true), ec);
    return ec;
}

}  // namespace parley::load
