#pragma once
// A connection's bounded queue of server frames waiting to be written, and the writer that
// drains it. The plain (ws://) path writes synchronously when the loop's corked flush runs: one
// send() carries every pending frame (up to 16 KiB), and only a socket that is full (EAGAIN)
// leaves bytes here for a writable-wait. Waiting for an asynchronous write's completion instead
// would put a busy connection's next flush behind every other connection's completion in the loop's
// queue. Frames are shared (one encoding per broadcast) and released as soon as they are written.
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "messaging/chat_frames.hpp"

namespace parley::messaging {

class OutboundQueue {
  public:
    enum class WriteResult { Drained, WouldBlock, Failed };
    // Frames copied into one buffer for a single send (see outbound_queue.cpp).
    static constexpr std::size_t kCorkBytes = 16 * 1024;

    void push(SharedFrame frame) {
        if (!q_) q_ = std::make_unique<Pending>();
        q_->bytes += frame->size();
        q_->frames.push_back(std::move(frame));
    }
    bool empty() const { return !q_ || q_->head == q_->frames.size(); }
    // Bytes queued and not yet written (a partly written frame counts its remainder).
    std::size_t bytes() const { return q_ ? q_->bytes : 0; }

    // Plain sockets: writes what the socket takes now, without blocking and without SIGPIPE.
    WriteResult write_to(int fd);

    // The same write in two halves, for a caller that sends many queues' bytes in one system
    // call (SendBatch). The bytes of the next send: the head frame's remainder, or that and the
    // frames after it copied into `cork` (up to its size); `corked` says the cork was used.
    struct NextSend {
        const char* data;
        std::size_t size;
        bool corked;
    };
    NextSend next_send(std::span<char> cork) const;  // only when !empty()
    // What the send of `asked` bytes returned (bytes written, or -errno): Drained also when
    // bytes remain that did not fit this send (empty() tells; the caller writes again).
    WriteResult sent(long result, std::size_t asked);

    // TLS (written through OpenSSL by Asio): the pending bytes as buffers, then the count
    // written once the write completed. Frames pushed meanwhile stay queued behind them.
    void gather(std::vector<boost::asio::const_buffer>& out) const;
    void consume(std::size_t n);

    void clear();
    // An idle connection keeps no queue storage: called when empty and quiet (once a second), not
    // after each flush, so a busy connection does not reallocate per loop turn.
    void release_memory();

  private:
    void compact();

    // Held only while a connection has been busy since the last tick: an idle connection's
    // queue is one null pointer (8 bytes in the session instead of 48).
    struct Pending {
        std::vector<SharedFrame> frames;
        std::size_t head = 0;    // first frame not fully written
        std::size_t offset = 0;  // bytes of frames[head] already written
        std::size_t bytes = 0;
    };
    std::unique_ptr<Pending> q_;
};

}  // namespace parley::messaging
