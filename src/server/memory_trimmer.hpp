#pragma once
// Hands freed heap memory back to the system after many connections have closed.
//
// Why: a connection's buffers are small heap blocks interleaved with longer-lived ones, so when
// thousands of connections close at once their memory is free inside malloc's arenas but glibc
// returns only the free top of each heap: the process would stay at its peak size. malloc_trim
// gives back every whole free page; it walks the free lists under the arena locks, so it runs
// only after the number of open connections has fallen well below its recent peak.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>

namespace parley::server {

class MemoryTrimmer {
  public:
    using Count = std::function<std::size_t()>;
    // `open_connections`: all connections of both doors now (called on `ctx`'s thread).
    MemoryTrimmer(boost::asio::io_context& ctx, Count open_connections,
                  std::size_t drop_before_trim = 256);
    void start();
    void stop();

    // One check; true when it trimmed. Public for tests.
    bool check();

  private:
    void schedule();

    boost::asio::steady_timer timer_;
    Count open_connections_;
    std::size_t drop_before_trim_;
    std::size_t peak_ = 0;  // highest count since the last trim
};

}  // namespace parley::server
