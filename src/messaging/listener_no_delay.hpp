#pragma once
// TCP_NODELAY for every connection a listening socket accepts, at no system call per connection
// where it can: set on the listening socket, Linux copies it to each accepted one. The first
// connection checks that it was copied; only where it was not is it set per connection. A
// setsockopt costs about 1 µs of system call on our VM, against ~40 µs for the whole upgrade.
// Chat frames are small and latency-bound: Nagle's algorithm must be off on all of them.
#include <cstdint>

namespace parley::messaging {

class ListenerNoDelay {
  public:
    // Once, on the listening socket.
    void on_listen(int listen_fd);
    // On each accepted socket, before its first write. One thread at a time.
    void on_accept(int fd);

    enum class Mode : std::uint8_t { Unknown, Inherited, PerConnection };
    Mode mode() const { return mode_; }

  private:
    Mode mode_ = Mode::PerConnection;  // until the listening socket has it
};

}  // namespace parley::messaging
