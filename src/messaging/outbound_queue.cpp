#include "messaging/outbound_queue.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace parley::messaging {

namespace {
// Frames per sendmsg(): a flush rarely has more; more than this take another call. On the
// stack, so a flush allocates nothing.
constexpr std::size_t kGatherFrames = 64;
}  // namespace

OutboundQueue::WriteResult OutboundQueue::write_to(int fd) {
    while (!empty()) {
        iovec iov[kGatherFrames];
        std::size_t count = 0;
        std::size_t asked = 0;
        for (std::size_t i = head_; i < frames_.size() && count < kGatherFrames; ++i, ++count) {
            const std::string& f = *frames_[i];
            const std::size_t skip = i == head_ ? offset_ : 0;
            iov[count].iov_base = const_cast<char*>(f.data() + skip);
            iov[count].iov_len = f.size() - skip;
            asked += f.size() - skip;
        }
        ssize_t n;
        if (count == 1) {
            // The usual flush under load: one frame. send() spares the kernel the copy-in of a
            // message header and an iovec array.
            n = ::send(fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        } else {
            msghdr msg{};
            msg.msg_iov = iov;
            msg.msg_iovlen = count;
            n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                compact();
                return WriteResult::WouldBlock;
            }
            return WriteResult::Failed;
        }
        consume(static_cast<std::size_t>(n));
        // A short write means the socket buffer is full: asking again would only say EAGAIN.
        if (static_cast<std::size_t>(n) < asked) {
            compact();
            return WriteResult::WouldBlock;
        }
    }
    return WriteResult::Drained;
}

void OutboundQueue::gather(std::vector<boost::asio::const_buffer>& out) const {
    out.clear();
    out.reserve(frames_.size() - head_);
    for (std::size_t i = head_; i < frames_.size(); ++i) {
        const std::string& f = *frames_[i];
        const std::size_t skip = i == head_ ? offset_ : 0;
        out.emplace_back(f.data() + skip, f.size() - skip);
    }
}

void OutboundQueue::consume(std::size_t n) {
    bytes_ -= n;
    while (n > 0) {
        const std::size_t left = frames_[head_]->size() - offset_;
        if (n < left) {
            offset_ += n;
            return;
        }
        n -= left;
        frames_[head_].reset();  // written: the last receiver to write a frame frees it
        ++head_;
        offset_ = 0;
    }
    if (empty()) {
        frames_.clear();  // keeps the capacity for the next flush
        head_ = 0;
    }
}

// Drops the written slots at the front, so a reader that stays a little behind does not grow
// the vector by one dead slot per frame.
void OutboundQueue::compact() {
    if (head_ == 0) return;
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
}

void OutboundQueue::clear() {
    frames_.clear();
    head_ = offset_ = bytes_ = 0;
}

void OutboundQueue::release_memory() {
    if (empty() && frames_.capacity() != 0) std::vector<SharedFrame>().swap(frames_);
}

}  // namespace parley::messaging
