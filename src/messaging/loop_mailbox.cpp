#include "messaging/loop_mailbox.hpp"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace parley::messaging {

namespace {
int make_eventfd() {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}
}  // namespace

LoopMailbox::LoopMailbox(boost::asio::io_context& loop) : wake_(loop, make_eventfd()) {
    // Registration belongs to the loop's thread (readiness_poller.hpp): the first thing it runs.
    // Work posted before then finds the eventfd counted up, which epoll reports once added.
    boost::asio::post(loop, [this] { start(); });
}

void LoopMailbox::start() {
    boost::system::error_code ec;
    wake_.start_polling(ec);
    if (ec) throw std::runtime_error("event loop mailbox: " + ec.message());
    wake_.park(PolledSocket::Read, &LoopMailbox::on_ready, this);
}

void LoopMailbox::post(std::function<void()> work) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(work));
    }
    // One write per wake-up: the loop clears the flag before it takes the queue, so work queued
    // after that finds it clear and wakes the loop again. Every eventfd write is a new edge (the
    // counter is never read back; it cannot overflow at one write per wake-up).
    if (!woken_.exchange(true, std::memory_order_acq_rel)) {
        const std::uint64_t one = 1;
        ssize_t n;
        do n = ::write(wake_.native_handle(), &one, sizeof one);
        while (n < 0 && errno == EINTR);
        if (n < 0) spdlog::error("event loop mailbox: eventfd write: {}", std::strerror(errno));
    }
}

void LoopMailbox::on_ready(void* self, const boost::system::error_code& ec) {
    auto& box = *static_cast<LoopMailbox*>(self);
    if (ec) return;
    // Edge-triggered: the next write reports again; parked again before running anything, so
    // work that posts to this mailbox is served on a later pass.
    box.wake_.clear_ready(PolledSocket::Read);
    box.wake_.park(PolledSocket::Read, &LoopMailbox::on_ready, self);
    box.run();
}

void LoopMailbox::run() {
    woken_.store(false, std::memory_order_release);
    std::vector<std::function<void()>> work;
    {
        std::lock_guard lock(mutex_);
        work.swap(queue_);
    }
    for (auto& w : work) {
        // As the loop itself would (event_loop_pool.cpp), but without dropping the rest.
        try {
            w();
        } catch (const std::exception& e) {
            spdlog::error("event loop caught an exception: {}", e.what());
        }
    }
    // The storage back for the next round, unless more was queued meanwhile.
    work.clear();
    std::lock_guard lock(mutex_);
    if (queue_.empty()) queue_.swap(work);
}

}  // namespace parley::messaging
