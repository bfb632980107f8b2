#pragma once
// A listening TCP socket on 127.0.0.1 at a port the kernel picks, for tests of the chat door's
// pieces on real sockets; `addr` receives its address, for connect().
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace parley::messaging::testing {

inline int listen_on_loopback(sockaddr_in& addr, int extra_flags = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0);
    EXPECT_GE(fd, 0);
    addr = sockaddr_in{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd, 16), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    return fd;
}

}  // namespace parley::messaging::testing
