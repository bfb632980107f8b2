#include "messaging/readiness_poller.hpp"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <algorithm>
#include <boost/asio/detail/op_queue.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <exception>
#include <type_traits>

#include "messaging/polled_socket.hpp"

namespace parley::messaging {

namespace asio = boost::asio;
namespace detail = boost::asio::detail;

asio::execution_context::id ReadinessPoller::id;

namespace {

static_assert(std::is_same_v<detail::reactor, detail::epoll_reactor>,
              "the readiness poller registers sockets in Asio's epoll reactor");

// Private members of Asio's reactor and scheduler, reached through the C++ rule that an
// explicit template instantiation may name them; no Asio header is changed. A Boost that
// renames or retypes them fails to compile here.
template <class Tag, typename Tag::type Member>
struct Expose {
    friend typename Tag::type member(Tag) { return Member; }
};
struct ReactorEpollFd {
    using type = int detail::epoll_reactor::*;
    friend type member(ReactorEpollFd);
};
struct SchedulerQueue {
    using type = detail::op_queue<detail::scheduler_operation> detail::scheduler::*;
    friend type member(SchedulerQueue);
};
struct SchedulerMutex {
    using type = detail::conditionally_enabled_mutex detail::scheduler::*;
    friend type member(SchedulerMutex);
};
template struct Expose<ReactorEpollFd, &detail::epoll_reactor::epoll_fd_>;
template struct Expose<SchedulerQueue, &detail::scheduler::op_queue_>;
template struct Expose<SchedulerMutex, &detail::scheduler::mutex_>;

// Takes `op` out of the scheduler's queue, where the reactor put it and where it would run
// after its socket is gone. The reactor's batch reaches that queue before any handler runs,
// and the next batch comes only after all of it ran (one thread a loop), so the queue is the
// only place it can be. Rare (a connection closed by another's event in the same batch), so a
// walk of the queue is fine.
void unqueue(detail::scheduler& scheduler, detail::scheduler_operation* op) {
    using access = detail::op_queue_access;
    detail::conditionally_enabled_mutex::scoped_lock lock(scheduler.*member(SchedulerMutex{}));
    auto& queue = scheduler.*member(SchedulerQueue{});
    detail::scheduler_operation* prev = nullptr;
    for (detail::scheduler_operation* o = access::front(queue); o != nullptr;
         prev = o, o = access::next(o)) {
        if (o != op) continue;
        detail::scheduler_operation* next = access::next(o);
        if (prev != nullptr)
            access::next(prev, next);
        else
            access::front(queue) = next;
        if (access::back(queue) == o) access::back(queue) = prev;
        detail::scheduler_operation* none = nullptr;
        access::next(o, none);
        return;
    }
}

}  // namespace

ReadinessPoller::ReadinessPoller(asio::io_context& loop)
    : asio::execution_context::service(loop),
      loop_(loop),
      scheduler_(asio::use_service<detail::scheduler>(loop)),
      reactor_(asio::use_service<detail::reactor>(loop)),
      epoll_fd_(reactor_.*member(ReactorEpollFd{})) {
    reactor_.init_task();  // as Asio's own I/O services do: the loop must run the reactor
}

ReadinessPoller::~ReadinessPoller() {
    shutdown();
}

void ReadinessPoller::shutdown() {
    shut_down_ = true;
    busy_.reset();
}

void ReadinessPoller::add(PolledSocket& s, boost::system::error_code& ec) {
    ec = {};
    if (shut_down_) {
        ec = asio::error::shut_down;
        return;
    }
    // No EPOLLOUT yet: with it, EPOLL_CTL_ADD reports a fresh socket writable at once, a
    // wake-up spent on each connection whose request has not arrived yet; most connections
    // never fill their send buffer, and the one write edge they might need is asked for then.
    if (control(s, EPOLL_CTL_ADD, false) != 0) {
        ec = {errno, asio::error::get_system_category()};
        return;
    }
    if (registered_++ == 0) busy_.emplace(loop_.get_executor());
}

bool ReadinessPoller::watch_writes(PolledSocket& s) {
    return !shut_down_ && control(s, EPOLL_CTL_MOD, true) == 0;
}

int ReadinessPoller::control(PolledSocket& s, int op, bool writes) {
    epoll_event ev{};
    ev.events =
        EPOLLIN | EPOLLRDHUP | (writes ? EPOLLOUT : 0u) | (s.level_triggered() ? 0u : EPOLLET);
    ev.data.ptr = s.edge();
    return ::epoll_ctl(epoll_fd_, op, s.native_handle(), &ev);
}

void ReadinessPoller::remove(PolledSocket& s) {
    if (!shut_down_) {
        epoll_event ignored{};
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.native_handle(), &ignored);
    }
    if (--registered_ == 0) busy_.reset();
    // An event already taken from the kernel for `s` must not reach it. Also after shutdown:
    // the scheduler would otherwise destroy the operation after `s` is gone.
    if (s.pending()) {
        unqueue(scheduler_, s.edge());
        s.taken();
    }
    std::replace(deferred_.begin(), deferred_.end(), &s, static_cast<PolledSocket*>(nullptr));
    std::replace(running_deferred_.begin(), running_deferred_.end(), &s,
                 static_cast<PolledSocket*>(nullptr));
    if (current_ == &s) current_ = nullptr;
}

void ReadinessPoller::defer(PolledSocket& s) {
    deferred_.push_back(&s);
    if (deferred_posted_) return;
    deferred_posted_ = true;
    asio::post(loop_, [this] { run_deferred(); });
}

void ReadinessPoller::on_edge(PolledSocket& s, std::uint32_t events) {
    if (shut_down_) return;
    s.note_events(events);
    serve_guarded(s);
}

void ReadinessPoller::serve(PolledSocket& s) {
    current_ = &s;
    for (auto d : {PolledSocket::Write, PolledSocket::Read}) {
        if (current_ != &s) return;  // closed (maybe destroyed) by the previous call
        if (!s.ready(d)) continue;
        if (auto fn = s.parked_[d]) {
            s.parked_[d] = nullptr;
            fn(s.owner_, {});
            if (current_ != &s) return;
        }
        // Asio-style waits: all of this direction's, in order; those a close overtakes are
        // completed with operation_aborted (the socket no longer lists them).
        PolledSocket::HandlerWait* chain = s.take_handler_waits(d);
        while (chain) {
            auto* next = chain->next;
            chain->complete(chain, current_ == &s ? boost::system::error_code{}
                                                  : asio::error::operation_aborted);
            chain = next;
        }
    }
    current_ = nullptr;
}

void ReadinessPoller::serve_guarded(PolledSocket& s) {
    try {
        serve(s);
    } catch (const std::exception& e) {
        current_ = nullptr;
        spdlog::error("chat connection handler threw: {}", e.what());
    }
}

void ReadinessPoller::run_deferred() {
    deferred_posted_ = false;
    running_deferred_.swap(deferred_);
    // Waits parked meanwhile go to deferred_ and wait for the next pass: a connection that
    // keeps yielding cannot hold the loop.
    for (std::size_t i = 0; i < running_deferred_.size(); ++i) {
        PolledSocket* s = running_deferred_[i];
        if (!s) continue;
        s->ready_ &= static_cast<std::uint8_t>(~PolledSocket::kDeferred);
        serve_guarded(*s);
    }
    running_deferred_.clear();
}

}  // namespace parley::messaging
