#pragma once
// One event loop's readiness source for its chat connections, the way uSockets does it: an
// epoll of our own, registered once with the loop's io_context reactor as an internal
// descriptor whose operation never completes (as Asio's own signal pipe is). Each time it turns
// readable, every ready connection is served inline on the loop's thread (so the hub's corked
// flush pass still batches their writes). Nothing is re-armed: a public async_wait would cost
// an epoll_ctl(MOD) on every loop pass, about 1.3 µs a connection opened on this VM.
// A connection is registered once, edge-triggered, with its PolledSocket as epoll_data: an idle
// connection then costs the kernel's epoll item and nothing in Asio (no descriptor state, no
// parked operation), which is most of what Asio kept per idle connection.
#include <sys/epoll.h>

#include <array>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <optional>
#include <vector>

namespace parley::messaging {

class PolledSocket;

class ReadinessPoller : public boost::asio::execution_context::service {
  public:
    // One per io_context: boost::asio::use_service<ReadinessPoller>(loop).
    static boost::asio::execution_context::id id;

    explicit ReadinessPoller(boost::asio::io_context& loop);
    ~ReadinessPoller() override;

    // On the loop's thread. Registers `s` edge-triggered for reads, writes and hang-ups.
    void add(PolledSocket& s, boost::system::error_code& ec);
    // Unregisters `s`; events already taken from the kernel for it are dropped, so nothing
    // reaches it after this returns (it may be destroyed at once).
    void remove(PolledSocket& s);
    // `s` has a parked wait whose readiness is already known: serve it soon, never inline.
    void defer(PolledSocket& s);

    boost::asio::io_context& loop() const { return loop_; }
    std::size_t registered() const { return registered_; }

  private:
    class EdgeOp;

    void shutdown() override;
    void on_ready();
    void run_deferred();
    // Calls `s`'s parked waits whose direction is ready; stops as soon as `s` is removed.
    void serve(PolledSocket& s);

    static constexpr int kBatch = 256;
    // Rounds of kBatch per wake-up before the loop's other handlers get a turn.
    static constexpr int kMaxRounds = 8;

    boost::asio::io_context& loop_;
    boost::asio::detail::reactor& reactor_;
    int epoll_fd_;
    boost::asio::detail::reactor::per_descriptor_data reactor_data_{};
    // The reactor does not count an internal descriptor as work: while connections are
    // registered, this keeps the loop's run() from returning (as a parked wait did).
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> busy_;
    bool continuation_posted_ = false;
    bool shut_down_ = false;
    std::size_t registered_ = 0;
    std::array<epoll_event, kBatch> events_{};
    int batch_end_ = 0;  // events_[0, batch_end_) are being served
    std::vector<PolledSocket*> deferred_;
    std::vector<PolledSocket*> running_deferred_;
    bool deferred_posted_ = false;
    PolledSocket* current_ = nullptr;  // being served; null once removed meanwhile
};

}  // namespace parley::messaging
