#include "messaging/readiness_poller.hpp"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include "messaging/polled_socket.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

asio::execution_context::id ReadinessPoller::id;

namespace {
int new_epoll() {
    int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    return fd;
}
}  // namespace

// The reactor calls perform() on every readable edge of our epoll; returning not_done keeps the
// operation queued, so the next edge reaches it without any re-arming. The reactor holds the
// descriptor's own lock meanwhile, which nothing served here takes.
class ReadinessPoller::EdgeOp : public asio::detail::reactor_op {
  public:
    explicit EdgeOp(ReadinessPoller& poller)
        : reactor_op(boost::system::error_code(), &EdgeOp::do_perform, &EdgeOp::do_complete),
          poller_(poller) {}

  private:
    static status do_perform(reactor_op* base) {
        auto& poller = static_cast<EdgeOp*>(base)->poller_;
        if (!poller.shut_down_ && !poller.continuation_posted_) poller.on_ready();
        return not_done;
    }
    // Called only to destroy it (the reactor deregistering or shutting down).
    static void do_complete(void*, asio::detail::operation* base, const boost::system::error_code&,
                            std::size_t) {
        delete static_cast<EdgeOp*>(base);
    }

    ReadinessPoller& poller_;
};
static_assert(std::is_same_v<asio::detail::reactor, asio::detail::epoll_reactor>,
              "the readiness poller nests its epoll in Asio's epoll reactor");

ReadinessPoller::ReadinessPoller(asio::io_context& loop)
    : asio::execution_context::service(loop),
      loop_(loop),
      reactor_(asio::use_service<asio::detail::reactor>(loop)),
      epoll_fd_(new_epoll()) {
    reactor_.init_task();  // as Asio's own I/O services do: the loop must run the reactor
    if (reactor_.register_internal_descriptor(asio::detail::reactor::read_op, epoll_fd_,
                                              reactor_data_, new EdgeOp(*this)) != 0) {
        const int err = errno;
        ::close(epoll_fd_);
        throw std::system_error(err, std::generic_category(), "registering the chat epoll");
    }
}

ReadinessPoller::~ReadinessPoller() {
    shutdown();
}

void ReadinessPoller::shutdown() {
    if (epoll_fd_ < 0) return;
    shut_down_ = true;
    busy_.reset();
    reactor_.deregister_internal_descriptor(epoll_fd_, reactor_data_);
    reactor_.cleanup_descriptor_data(reactor_data_);
    ::close(epoll_fd_);
    epoll_fd_ = -1;
}

void ReadinessPoller::add(PolledSocket& s, boost::system::error_code& ec) {
    ec = {};
    if (shut_down_) {
        ec = asio::error::shut_down;
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &s;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s.native_handle(), &ev) != 0) {
        ec = {errno, asio::error::get_system_category()};
        return;
    }
    if (registered_++ == 0) busy_.emplace(loop_.get_executor());
}

void ReadinessPoller::remove(PolledSocket& s) {
    if (!shut_down_) {
        epoll_event ignored{};
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.native_handle(), &ignored);
    }
    if (--registered_ == 0) busy_.reset();
    // Events already taken from the kernel for `s` must not reach it.
    for (int i = 0; i < batch_end_; ++i)
        if (events_[static_cast<std::size_t>(i)].data.ptr == &s)
            events_[static_cast<std::size_t>(i)].data.ptr = nullptr;
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

void ReadinessPoller::on_ready() {
    continuation_posted_ = false;
    for (int round = 0; round < kMaxRounds; ++round) {
        int n = ::epoll_wait(epoll_fd_, events_.data(), kBatch, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            n = 0;
        }
        batch_end_ = n;
        for (int i = 0; i < n; ++i) {
            auto& ev = events_[static_cast<std::size_t>(i)];
            auto* s = static_cast<PolledSocket*>(ev.data.ptr);
            if (!s) continue;  // closed by a connection served before it in this batch
            s->note_events(ev.events);
            try {
                serve(*s);
            } catch (const std::exception& e) {
                // As on the event loop itself: one connection's failure must not stop the
                // others on this loop (their edges are already taken from the kernel).
                current_ = nullptr;
                spdlog::error("chat connection handler threw: {}", e.what());
            }
        }
        batch_end_ = 0;
        if (shut_down_) return;
        if (n < kBatch) return;  // drained: the next event raises a new edge
    }
    // Still more: let the loop's other handlers (the corked flush, timers) run first.
    continuation_posted_ = true;
    asio::post(loop_, [this] {
        if (!shut_down_) on_ready();
    });
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
        try {
            serve(*s);
        } catch (const std::exception& e) {
            current_ = nullptr;
            spdlog::error("chat connection handler threw: {}", e.what());
        }
    }
    running_deferred_.clear();
}

}  // namespace parley::messaging
