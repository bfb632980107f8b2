#pragma once
// A connected unix stream pair for tests of the write path on real sockets: the test writes to
// fd[0] (a small send buffer, so it fills fast; 0 keeps the kernel's default) and reads what
// arrived from fd[1].
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace parley::messaging::testing {

struct SocketPair {
    int fd[2] = {-1, -1};
    explicit SocketPair(int buffer_bytes = 4096, int flags = 0) {
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | flags, 0, fd), 0);
        if (buffer_bytes) {
            ::setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
            ::setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
        }
    }
    ~SocketPair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    std::string read_available() const {
        std::string out;
        char buf[65536];
        for (;;) {
            auto n = ::recv(fd[1], buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
};

}  // namespace parley::messaging::testing
