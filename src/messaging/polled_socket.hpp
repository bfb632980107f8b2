#pragma once
// A chat connection's TCP socket, served by its loop's ReadinessPoller instead of an Asio
// socket: a file descriptor, its entry in the loop's epoll, a poller reference, what the poller
// last said about it and two parked-wait slots that hold no heap (a function pointer and its
// owner). An idle connection's readable-wait then costs nothing beyond the socket itself, where
// an Asio socket keeps a descriptor state (~170 bytes, never given back to the heap) and a
// parked operation (~200).
//
// Edge-triggered: the poller says once that a direction became ready; the socket remembers it
// until a read or write says EAGAIN (or a short read or write shows the kernel buffer drained),
// so a wait parked after readiness arrived is served (on the next poller pass, never inline).
// A hang-up or error keeps both directions ready for good: the next read or write reports it.
//
// Also an Asio AsyncReadStream/AsyncWriteStream (for Beast's upgrade read, composed writes and
// the TLS handshake): those waits are transient and allocate; a close completes them with
// operation_aborted, posted, as Asio does.
#include <sys/uio.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/detail/scheduler_operation.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <utility>

namespace parley::messaging {

class ReadinessPoller;
class PolledSocket;

// What a socket is to its loop's epoll (readiness_poller.hpp): an operation Asio's reactor
// queues on the loop when the kernel reports the socket, with the events as its result.
class PolledEdge : public boost::asio::detail::scheduler_operation {
  protected:
    explicit PolledEdge(func_type on_edge) : scheduler_operation(on_edge) {}
    ~PolledEdge() = default;
    // Queued by the reactor and not yet called (epoll never reports an empty event set).
    bool pending() const { return task_result_ != 0; }
    void taken() { task_result_ = 0; }
};

// Repeats `step(ec)` until it does not say would_block, waiting on `socket` for `wait_for()`
// in between; never completes inside the initiating call. The composed reads and writes of
// the plain socket and of the TLS stream over it.
template <class Step, class WaitFor, class Token>
auto async_until_ready(PolledSocket& socket, Step step, WaitFor wait_for, Token&& token);

class PolledSocket : private PolledEdge {
  public:
    using executor_type = boost::asio::io_context::executor_type;
    enum Direction : std::uint8_t { Read = 0, Write = 1 };
    // A parked wait's callback: `owner` as given to park(); `ec` is always success.
    using WaitFn = void (*)(void* owner, const boost::system::error_code& ec);

    // Takes ownership of `fd` (a connected, non-blocking TCP socket). Any thread.
    PolledSocket(boost::asio::io_context& loop, int fd);
    // Unregisters and closes, like close().
    ~PolledSocket();
    PolledSocket(const PolledSocket&) = delete;
    PolledSocket& operator=(const PolledSocket&) = delete;

    executor_type get_executor() const;
    int native_handle() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }

    // Edge: the kernel reports the socket when it becomes ready (every chat connection).
    // Level: on every loop pass while it is ready, for a listener that takes one connection a
    // wake-up (chat_listener.cpp); write waits are not meant for it.
    enum class Trigger : std::uint8_t { Edge, Level };
    // On the loop's thread, before any wait; again after stop_polling().
    void start_polling(boost::system::error_code& ec, Trigger trigger = Trigger::Edge);
    // Out of the poller without closing (a listener backing off): nothing is reported, and no
    // parked wait called, until start_polling() again.
    void stop_polling();
    // To another loop's poller (a connection moving to its room's loop): out of polling and with
    // nothing parked or waiting, on the old loop's thread; start_polling() then on the new one's.
    void move_to(boost::asio::io_context& loop);
    bool level_triggered() const { return (ready_ & kLevel) != 0; }

    // Non-blocking; would_block when the kernel has nothing (or no room) now.
    std::size_t read_some(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec);
    std::size_t available(boost::system::error_code& ec) const;
    boost::asio::ip::tcp::endpoint remote_endpoint(boost::system::error_code& ec) const;
    void shutdown_send(boost::system::error_code& ec);
    // Unregisters from the poller (nothing parked is called after this; Asio-style waits get
    // operation_aborted, posted), then closes the descriptor.
    void close();

    bool ready(Direction d) const { return (ready_ & bit(d)) != 0; }
    // The caller saw EAGAIN (or an otherwise drained kernel buffer) outside read_some/write_some.
    void clear_ready(Direction d) {
        if (!(ready_ & sticky(d))) ready_ &= static_cast<std::uint8_t>(~bit(d));
    }

    // Parks `fn(owner)` until `d` is ready. Allocates nothing. One parked wait per direction
    // (a second replaces the first), one owner for both directions. Forgotten, without a
    // call, by close().
    void park(Direction d, WaitFn fn, void* owner);

    // Asio-style wait (allocates; completes with operation_aborted on close).
    template <class Handler>
    void async_wait(boost::asio::socket_base::wait_type w, Handler&& handler);

    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        return async_until_ready(
            *this,
            [this, buffers](boost::system::error_code& ec) {
                return read_some(first_buffer(buffers), ec);
            },
            [] { return boost::asio::socket_base::wait_read; }, std::forward<Token>(token));
    }
    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        return async_until_ready(
            *this,
            [this, buffers](boost::system::error_code& ec) { return write_some(buffers, ec); },
            [] { return boost::asio::socket_base::wait_write; }, std::forward<Token>(token));
    }

  private:
    friend class ReadinessPoller;

    // An Asio-style wait: heap, intrusive list per direction.
    struct HandlerWait {
        HandlerWait* next = nullptr;
        Direction direction = Read;
        void (*complete)(HandlerWait* self, const boost::system::error_code& ec) = nullptr;
    };
    template <class Handler>
    struct HandlerWaitOf : HandlerWait {
        HandlerWaitOf(Handler&& h, executor_type e) : handler(std::move(h)), ex(e) {
            complete = &do_complete;
        }
        static void do_complete(HandlerWait* base, const boost::system::error_code& ec) {
            auto* self = static_cast<HandlerWaitOf*>(base);
            Handler h = std::move(self->handler);
            executor_type ex = self->ex;
            delete self;
            // Readiness is served from the poller's own handler on the loop: call at once.
            if (!ec) return h(ec);
            boost::asio::post(ex, [h = std::move(h), ec]() mutable { h(ec); });
        }
        Handler handler;
        executor_type ex;
    };

    static constexpr std::uint8_t bit(Direction d) { return d == Read ? 1 : 2; }
    // After a hang-up or error the direction stays ready: the next call reports it.
    static constexpr std::uint8_t sticky(Direction d) { return d == Read ? 4 : 8; }
    static constexpr std::uint8_t kDeferred = 16;       // queued in the poller's deferred list
    static constexpr std::uint8_t kWritesWatched = 32;  // registered for EPOLLOUT too
    static constexpr std::uint8_t kLevel = 64;          // registered level-triggered

    template <class MutableBufferSequence>
    static boost::asio::mutable_buffer first_buffer(const MutableBufferSequence& buffers) {
        auto end = boost::asio::buffer_sequence_end(buffers);
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end; ++it)
            if (boost::asio::mutable_buffer(*it).size() != 0) return *it;
        return {};
    }
    std::size_t send_iov(const ::iovec* iov, int count, boost::system::error_code& ec);
    std::size_t failed(Direction d, boost::system::error_code& ec);

    void push_handler_wait(Direction d, HandlerWait* w);
    void defer_if_ready(Direction d);
    // Before a wait for writing: the registration gains write edges, once.
    void watch_writes();
    // Poller side.
    void note_events(std::uint32_t events);
    boost::asio::detail::scheduler_operation* edge() { return this; }
    // Called by the loop for a queued edge; `loop` is null when the loop is destroyed unrun.
    static void on_edge(void* loop, boost::asio::detail::scheduler_operation* edge,
                        const boost::system::error_code& ec, std::size_t events);

    ReadinessPoller* poller_;
    int fd_;
    std::uint8_t ready_ = bit(Write);  // a fresh connection can take bytes
    bool registered_ = false;
    // Parked waits: one callback per direction, one owner for both (a connection parks only
    // its own). The socket is 72 bytes in all, its 24-byte edge included; an Asio socket is
    // 40, plus a reactor state (~170) and, parked, an operation (~200) on the heap.
    void* owner_ = nullptr;
    WaitFn parked_[2] = {nullptr, nullptr};
    HandlerWait* handler_waits_ = nullptr;  // both directions, in start order

    // Takes this direction's Asio-style waits out of the list, in order.
    HandlerWait* take_handler_waits(Direction d);
};

template <class ConstBufferSequence>
std::size_t PolledSocket::write_some(const ConstBufferSequence& buffers,
                                     boost::system::error_code& ec) {
    ::iovec iov[16];
    int count = 0;
    auto end = boost::asio::buffer_sequence_end(buffers);
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != end && count < 16; ++it) {
        boost::asio::const_buffer b(*it);
        if (b.size() == 0) continue;
        iov[count++] = {const_cast<void*>(b.data()), b.size()};
    }
    if (count == 0) {
        ec = {};
        return 0;
    }
    return send_iov(iov, count, ec);
}

template <class Handler>
void PolledSocket::async_wait(boost::asio::socket_base::wait_type w, Handler&& handler) {
    using H = std::decay_t<Handler>;
    auto* op = new HandlerWaitOf<H>(std::forward<Handler>(handler), get_executor());
    if (!is_open()) return op->complete(op, boost::asio::error::bad_descriptor);
    push_handler_wait(w == boost::asio::socket_base::wait_write ? Write : Read, op);
}

template <class Step, class WaitFor, class Token>
auto async_until_ready(PolledSocket& socket, Step step, WaitFor wait_for, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        [&socket, step, wait_for, started = false, finished = false, result = std::size_t{0},
         error = boost::system::error_code{}](auto& self,
                                              boost::system::error_code wait_ec = {}) mutable {
            if (finished) return self.complete(error, result);
            if (started && wait_ec) return self.complete(wait_ec, 0);
            const bool first = !started;
            started = true;
            boost::system::error_code ec;
            std::size_t n = step(ec);
            if (ec == boost::asio::error::would_block)
                return socket.async_wait(wait_for(), std::move(self));
            if (first) {
                finished = true;
                error = ec;
                result = n;
                return boost::asio::post(socket.get_executor(), std::move(self));
            }
            self.complete(ec, n);
        },
        token, socket);
}

}  // namespace parley::messaging
