#include "messaging/listener_no_delay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace parley::messaging {

void ListenerNoDelay::on_listen(int listen_fd) {
    const int one = 1;
    if (::setsockopt(listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0)
        mode_ = Mode::Unknown;
}

void ListenerNoDelay::on_accept(int fd) {
    if (mode_ == Mode::Inherited) return;
    if (mode_ == Mode::Unknown) {
        int on = 0;
        socklen_t len = sizeof on;
        const bool copied = ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 && on != 0;
        mode_ = copied ? Mode::Inherited : Mode::PerConnection;
        if (copied) return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // best effort, as before
}

}  // namespace parley::messaging
