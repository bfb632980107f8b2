#include "messaging/readiness_poller.hpp"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <exception>
#include <stdexcept>
#include <system_error>

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

ReadinessPoller::ReadinessPoller(asio::io_context& loop)
    : asio::execution_context::service(loop), loop_(loop), epoll_(loop, new_epoll()) {}

ReadinessPoller::~ReadinessPoller() = default;

void ReadinessPoller::shutdown() {
    shut_down_ = true;
    boost::system::error_code ignored;
    epoll_.close(ignored);
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
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, s.native_handle(), &ev) != 0) {
        ec = {errno, asio::error::get_system_category()};
        return;
    }
    ++registered_;
    if (!armed_ && !continuation_posted_ && batch_end_ == 0) arm();
}

void ReadinessPoller::remove(PolledSocket& s) {
    if (!shut_down_) {
        epoll_event ignored{};
        ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, s.native_handle(), &ignored);
    }
    --registered_;
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

void ReadinessPoller::arm() {
    armed_ = true;
    epoll_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [this](const boost::system::error_code& ec) {
                          armed_ = false;
                          if (ec || shut_down_) return;
                          on_ready();
                      });
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
        int n = ::epoll_wait(epoll_.native_handle(), events_.data(), kBatch, 0);
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
        if (n < kBatch) return arm();  // drained: the next event raises a new edge
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
