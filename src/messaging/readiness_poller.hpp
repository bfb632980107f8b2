#pragma once
// One event loop's readiness source for its chat connections, the way uSockets does it: each
// connection's socket is registered once, edge-triggered (the listener level-triggered),
// straight in the epoll of the loop's Asio reactor, with the socket itself (a scheduler
// operation) as the event's data. When the kernel reports it, the reactor queues that operation
// on the loop like any completion, and the loop calls it: one epoll_wait per loop pass serves
// Asio's timers and every chat connection alike. Nothing is re-armed (an Asio async_wait costs
// an epoll_ctl(MOD) each time), and an idle connection costs the kernel's epoll item and
// nothing in Asio (no descriptor state, no parked operation), which is most of what Asio kept
// per idle connection.
//
// Asio does not offer this: the reactor's epoll descriptor and the scheduler's queue are
// reached as private members (readiness_poller.cpp), so this builds against the epoll reactor
// of Boost 1.81 only, and each loop's io_context must be run by one thread at a time.
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
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

    // On the loop's thread. Registers `s` for reads and hang-ups, edge-triggered unless `s`
    // asked for levels (PolledSocket::Trigger); writes are added by watch_writes() once a
    // write has had to wait.
    void add(PolledSocket& s, boost::system::error_code& ec);
    // Adds write edges to `s`'s registration (the kernel then reports it at once if it has
    // room). false: it could not (the socket is gone or the poller shut down).
    bool watch_writes(PolledSocket& s);
    // Unregisters `s`; an event already taken from the kernel for it is dropped, so nothing
    // reaches it after this returns (it may be destroyed at once).
    void remove(PolledSocket& s);
    // `s` has a parked wait whose readiness is already known: serve it soon, never inline.
    void defer(PolledSocket& s);

    boost::asio::io_context& loop() const { return loop_; }
    std::size_t registered() const { return registered_; }

  private:
    friend class PolledSocket;

    void shutdown() override;
    // epoll_ctl(op) for `s`: reads and hang-ups, writes when asked, edge- or level-triggered
    // as `s` was started.
    int control(PolledSocket& s, int op, bool writes);
    // The kernel reported `s` (called from the loop's queue).
    void on_edge(PolledSocket& s, std::uint32_t events);
    void run_deferred();
    // Calls `s`'s parked waits whose direction is ready; stops as soon as `s` is removed.
    void serve(PolledSocket& s);
    // Serves `s`, logging (not propagating) what a handler threw: one connection's failure
    // must not stop the loop's others.
    void serve_guarded(PolledSocket& s);

    boost::asio::io_context& loop_;
    boost::asio::detail::scheduler& scheduler_;
    boost::asio::detail::reactor& reactor_;
    int epoll_fd_;  // the reactor's, not ours to close
    // The reactor does not count a registered descriptor as work: while connections are
    // registered, this keeps the loop's run() from returning (as a parked wait did).
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> busy_;
    bool shut_down_ = false;
    std::size_t registered_ = 0;
    std::vector<PolledSocket*> deferred_;
    std::vector<PolledSocket*> running_deferred_;
    bool deferred_posted_ = false;
    PolledSocket* current_ = nullptr;  // being served; null once removed meanwhile
};

}  // namespace parley::messaging
