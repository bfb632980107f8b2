#pragma once
// Work handed to one event loop from other threads, in order, woken through the loop's own
// readiness poller: the poster queues the work and, unless the loop has been woken already,
// writes to an eventfd the loop's epoll watches. An asio::post wakes a sleeping loop with an
// epoll_ctl made under Asio's scheduler lock, which the woken loop then has to wait for: with
// --threads 2, 1.5 futex calls and 2.5 extra context switches per message handed over
// (docs/performance.md, s).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <mutex>
#include <vector>

#include "messaging/polled_socket.hpp"

namespace parley::messaging {

class LoopMailbox {
  public:
    // Made before `loop` runs; it starts watching its eventfd when the loop does.
    explicit LoopMailbox(boost::asio::io_context& loop);
    LoopMailbox(const LoopMailbox&) = delete;
    LoopMailbox& operator=(const LoopMailbox&) = delete;

    // Any thread, the loop's own included. `work` runs on the loop, after everything posted here
    // before it.
    void post(std::function<void()> work);

  private:
    void start();
    static void on_ready(void* self, const boost::system::error_code& ec);
    void run();

    PolledSocket wake_;  // the eventfd (only start_polling, park, clear_ready and close apply)
    std::atomic<bool> woken_{false};
    std::mutex mutex_;
    std::vector<std::function<void()>> queue_;
};

}  // namespace parley::messaging
