#include "messaging/polled_socket.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/detail/scheduler.hpp>
#include <cerrno>

#include "messaging/readiness_poller.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

namespace {
boost::system::error_code polled_errno_code() {
    return {errno, asio::error::get_system_category()};
}
}  // namespace

namespace {
ReadinessPoller* poller_or_close(asio::io_context& loop, int fd) {
    try {
        return &asio::use_service<ReadinessPoller>(loop);
    } catch (...) {
        ::close(fd);  // owned from the start, even when this constructor fails
        throw;
    }
}
}  // namespace

PolledSocket::PolledSocket(asio::io_context& loop, int fd)
    : PolledEdge(&PolledSocket::on_edge), poller_(poller_or_close(loop, fd)), fd_(fd) {}

void PolledSocket::on_edge(void* loop, asio::detail::scheduler_operation* edge,
                           const boost::system::error_code&, std::size_t events) {
    auto& s = *static_cast<PolledSocket*>(static_cast<PolledEdge*>(edge));
    s.taken();
    if (loop == nullptr) return;  // the loop's queue destroyed unrun: nothing to call
    // The loop counts each operation it runs as finished work; a reactor event was never
    // counted as started, so it is compensated, as Asio does for its own descriptors.
    static_cast<asio::detail::scheduler*>(loop)->compensating_work_started();
    s.poller_->on_edge(s, static_cast<std::uint32_t>(events));
}

PolledSocket::~PolledSocket() {
    close();
}

PolledSocket::executor_type PolledSocket::get_executor() const {
    return poller_->loop().get_executor();
}

void PolledSocket::start_polling(boost::system::error_code& ec, Trigger trigger) {
    if (!is_open()) {
        ec = asio::error::bad_descriptor;
        return;
    }
    if (registered_) {
        ec = {};
        return;
    }
    if (trigger == Trigger::Level)
        ready_ |= kLevel;
    else
        ready_ &= static_cast<std::uint8_t>(~kLevel);
    poller_->add(*this, ec);
    registered_ = !ec;
}

void PolledSocket::stop_polling() {
    if (!registered_) return;
    poller_->remove(*this);  // also drops a queued event and a deferred serve
    registered_ = false;
    ready_ &= static_cast<std::uint8_t>(~(kDeferred | kWritesWatched));
}

void PolledSocket::move_to(asio::io_context& loop) {
    stop_polling();
    owner_ = nullptr;
    parked_[Read] = parked_[Write] = nullptr;
    poller_ = &asio::use_service<ReadinessPoller>(loop);
}

std::size_t PolledSocket::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    ec = {};
    if (buffer.size() == 0) return 0;
    // Registered and not known readable: the kernel has said EAGAIN (or drained) since the last
    // edge, or has not reported this socket yet (EPOLL_CTL_ADD reports bytes already queued).
    // Either way a new edge arrives when there is something to read, so asking now would only
    // cost a recv() that says EAGAIN: about one per accepted connection, whose first read
    // follows the accept before the upgrade request has arrived.
    if (registered_ && !ready(Read)) {
        ec = asio::error::would_block;
        return 0;
    }
    for (;;) {
        ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (n > 0) {
            // A stream socket returns less than asked only with its receive queue empty; any
            // byte arriving later raises a new edge.
            if (static_cast<std::size_t>(n) < buffer.size()) clear_ready(Read);
            return static_cast<std::size_t>(n);
        }
        if (n == 0) {
            ec = asio::error::eof;
            return 0;
        }
        if (errno == EINTR) continue;
        return failed(Read, ec);
    }
}

// After a failed read or write, from errno: would_block (the direction is no longer ready: the
// kernel raises a new edge when it is) or the error itself.
std::size_t PolledSocket::failed(Direction d, boost::system::error_code& ec) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        clear_ready(d);
        ec = asio::error::would_block;
    } else {
        ec = polled_errno_code();
    }
    return 0;
}

std::size_t PolledSocket::send_iov(const ::iovec* iov, int count, boost::system::error_code& ec) {
    ec = {};
    ::msghdr msg{};
    msg.msg_iov = const_cast<::iovec*>(iov);
    msg.msg_iovlen = static_cast<std::size_t>(count);
    std::size_t asked = 0;
    for (int i = 0; i < count; ++i) asked += iov[i].iov_len;
    if (registered_ && !ready(Write)) {  // as in read_some: the next EPOLLOUT edge says when
        ec = asio::error::would_block;
        return 0;
    }
    for (;;) {
        ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            // A short write means the send buffer is full (the kernel then signals the next
            // room with a new edge).
            if (static_cast<std::size_t>(n) < asked) clear_ready(Write);
            return static_cast<std::size_t>(n);
        }
        if (errno == EINTR) continue;
        return failed(Write, ec);
    }
}

std::size_t PolledSocket::available(boost::system::error_code& ec) const {
    ec = {};
    int n = 0;
    if (::ioctl(fd_, FIONREAD, &n) != 0) {
        ec = polled_errno_code();
        return 0;
    }
    return static_cast<std::size_t>(n);
}

asio::ip::tcp::endpoint PolledSocket::remote_endpoint(boost::system::error_code& ec) const {
    ec = {};
    asio::ip::tcp::endpoint ep;
    ::socklen_t len = static_cast<::socklen_t>(ep.capacity());
    if (::getpeername(fd_, ep.data(), &len) != 0) {
        ec = polled_errno_code();
        return {};
    }
    ep.resize(len);
    return ep;
}

void PolledSocket::shutdown_send(boost::system::error_code& ec) {
    ec = {};
    if (::shutdown(fd_, SHUT_WR) != 0) ec = polled_errno_code();
}

void PolledSocket::close() {
    if (fd_ < 0) return;
    if (registered_) poller_->remove(*this);
    registered_ = false;
    parked_[Read] = parked_[Write] = nullptr;
    owner_ = nullptr;
    while (HandlerWait* w = handler_waits_) {
        handler_waits_ = w->next;
        w->complete(w, asio::error::operation_aborted);
    }
    ::close(fd_);
    fd_ = -1;
}

void PolledSocket::park(Direction d, WaitFn fn, void* owner) {
    if (!is_open()) return;
    parked_[d] = fn;
    owner_ = owner;
    if (d == Write) watch_writes();
    defer_if_ready(d);
}

void PolledSocket::push_handler_wait(Direction d, HandlerWait* w) {
    // Appended: waits of one direction complete in the order they were started.
    w->direction = d;
    HandlerWait** tail = &handler_waits_;
    while (*tail) tail = &(*tail)->next;
    *tail = w;
    if (d == Write) watch_writes();
    defer_if_ready(d);
}

PolledSocket::HandlerWait* PolledSocket::take_handler_waits(Direction d) {
    HandlerWait* taken = nullptr;
    HandlerWait** taken_tail = &taken;
    for (HandlerWait** link = &handler_waits_; *link;) {
        HandlerWait* w = *link;
        if (w->direction != d) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        w->next = nullptr;
        *taken_tail = w;
        taken_tail = &w->next;
    }
    return taken;
}

void PolledSocket::defer_if_ready(Direction d) {
    if (!ready(d) || !registered_ || (ready_ & kDeferred)) return;
    ready_ |= kDeferred;
    poller_->defer(*this);
}

void PolledSocket::watch_writes() {
    if (!registered_ || ready(Write) || (ready_ & kWritesWatched)) return;
    ready_ |= kWritesWatched;
    // Not watchable: the write is retried at once and reports what is wrong.
    if (!poller_->watch_writes(*this)) ready_ |= sticky(Write) | bit(Write);
}

void PolledSocket::note_events(std::uint32_t events) {
    if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) ready_ |= sticky(Read) | bit(Read);
    if (events & (EPOLLHUP | EPOLLERR)) ready_ |= sticky(Write) | bit(Write);
    if (events & EPOLLIN) ready_ |= bit(Read);
    if (events & EPOLLOUT) ready_ |= bit(Write);
}

}  // namespace parley::messaging
