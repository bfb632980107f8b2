#include "messaging/outbound_queue.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace parley::messaging {

namespace {
// Several small frames are copied into one per-thread buffer and sent with one send(): the
// kernel then takes a flat buffer (a writev/sendmsg of the same frames costs it more per call:
// measured, 4-5 % of the server's CPU at 160k deliveries/s). A frame larger than this goes out
// on its own, straight from its shared bytes.
thread_local char t_cork[OutboundQueue::kCorkBytes];
}  // namespace

OutboundQueue::WriteResult OutboundQueue::write_to(int fd) {
    while (!empty()) {
        const NextSend next = next_send(t_cork);
        ssize_t n;
        do n = ::send(fd, next.data, next.size, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        const WriteResult r = sent(n < 0 ? -errno : n, next.size);
        if (r != WriteResult::Drained) return r;
    }
    return WriteResult::Drained;
}

OutboundQueue::NextSend OutboundQueue::next_send(std::span<char> cork) const {
    const auto& frames = q_->frames;
    const char* data = frames[q_->head]->data() + q_->offset;
    std::size_t size = frames[q_->head]->size() - q_->offset;
    const std::size_t room = std::min(cork.size(), kCorkBytes);
    // Corked only when at least the next frame fits beside the head's bytes.
    if (q_->head + 1 == frames.size() || size + frames[q_->head + 1]->size() > room)
        return {data, size, false};
    std::memcpy(cork.data(), data, size);
    for (std::size_t i = q_->head + 1; i < frames.size(); ++i) {
        const std::string& f = *frames[i];
        if (size + f.size() > room) break;
        std::memcpy(cork.data() + size, f.data(), f.size());
        size += f.size();
    }
    return {cork.data(), size, true};
}

OutboundQueue::WriteResult OutboundQueue::sent(long result, std::size_t asked) {
    if (result < 0) {
        if (result == -EAGAIN || result == -EWOULDBLOCK) {
            compact();
            return WriteResult::WouldBlock;
        }
        return WriteResult::Failed;
    }
    consume(static_cast<std::size_t>(result));
    // A short write means the socket buffer is full: asking again would only say EAGAIN.
    if (static_cast<std::size_t>(result) < asked) {
        compact();
        return WriteResult::WouldBlock;
    }
    return WriteResult::Drained;
}

void OutboundQueue::gather(std::vector<boost::asio::const_buffer>& out) const {
    out.clear();
    if (empty()) return;
    out.reserve(q_->frames.size() - q_->head);
    for (std::size_t i = q_->head; i < q_->frames.size(); ++i) {
        const std::string& f = *q_->frames[i];
        const std::size_t skip = i == q_->head ? q_->offset : 0;
        out.emplace_back(f.data() + skip, f.size() - skip);
    }
}

void OutboundQueue::consume(std::size_t n) {
    if (n == 0) return;
    q_->bytes -= n;
    while (n > 0) {
        const std::size_t left = q_->frames[q_->head]->size() - q_->offset;
        if (n < left) {
            q_->offset += n;
            return;
        }
        n -= left;
        q_->frames[q_->head].reset();  // written: the last receiver to write a frame frees it
        ++q_->head;
        q_->offset = 0;
    }
    if (empty()) {
        q_->frames.clear();  // keeps the capacity for the next flush
        q_->head = 0;
    }
}

// Drops the written slots at the front, so a reader that stays a little behind does not grow
// the vector by one dead slot per frame.
void OutboundQueue::compact() {
    if (!q_ || q_->head == 0) return;
    q_->frames.erase(q_->frames.begin(),
                     q_->frames.begin() + static_cast<std::ptrdiff_t>(q_->head));
    q_->head = 0;
}

void OutboundQueue::clear() {
    q_.reset();
}

void OutboundQueue::release_memory() {
    if (empty()) q_.reset();
}

}  // namespace parley::messaging
