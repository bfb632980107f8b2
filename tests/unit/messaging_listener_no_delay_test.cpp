// TCP_NODELAY on accepted chat connections (ListenerNoDelay): real loopback sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "messaging/listener_no_delay.hpp"
#include "messaging_loopback_listener.hpp"

namespace {

using parley::messaging::ListenerNoDelay;

int no_delay_of(int fd) {
    int on = -1;
    socklen_t len = sizeof on;
    EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
    return on;
}

// A listening socket on 127.0.0.1, and connections made to it and accepted.
struct Door {
    Door() { listen_fd = parley::messaging::testing::listen_on_loopback(addr); }
    ~Door() {
        for (int fd : fds) ::close(fd);
        ::close(listen_fd);
    }
    int accept_one() {
        int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        int accepted = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        EXPECT_GE(accepted, 0);
        fds.push_back(client);
        fds.push_back(accepted);
        return accepted;
    }
    int listen_fd;
    sockaddr_in addr{};
    std::vector<int> fds;
};

TEST(ListenerNoDelay, AcceptedSocketsHaveItFromTheListener) {
    Door door;
    ListenerNoDelay no_delay;
    no_delay.on_listen(door.listen_fd);
    EXPECT_EQ(no_delay_of(door.listen_fd), 1);
    for (int i = 0; i < 3; ++i) {
        int fd = door.accept_one();
        no_delay.on_accept(fd);
        EXPECT_EQ(no_delay_of(fd), 1) << i;
    }
    // Linux copies the listener's option: no system call per connection after the first check.
    EXPECT_EQ(no_delay.mode(), ListenerNoDelay::Mode::Inherited);
}

TEST(ListenerNoDelay, SetPerConnectionWhenTheListenerHasNone) {
    Door door;
    ListenerNoDelay no_delay;  // on_listen never called (or failed): every connection is set
    for (int i = 0; i < 2; ++i) {
        int fd = door.accept_one();
        EXPECT_EQ(no_delay_of(fd), 0);
        no_delay.on_accept(fd);
        EXPECT_EQ(no_delay_of(fd), 1) << i;
    }
    EXPECT_EQ(no_delay.mode(), ListenerNoDelay::Mode::PerConnection);
}

// Should the kernel stop copying it, the first connection's check notices and each connection
// gets its own setsockopt.
TEST(ListenerNoDelay, FallsBackWhenTheFirstAcceptedSocketLacksIt) {
    Door door;
    ListenerNoDelay no_delay;
    no_delay.on_listen(door.listen_fd);
    int fd = door.accept_one();
    const int off = 0;
    ASSERT_EQ(::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &off, sizeof off), 0);  // as if not copied
    no_delay.on_accept(fd);
    EXPECT_EQ(no_delay_of(fd), 1);
    EXPECT_EQ(no_delay.mode(), ListenerNoDelay::Mode::PerConnection);
}

}  // namespace
