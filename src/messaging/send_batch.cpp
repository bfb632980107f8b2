#include "messaging/send_batch.hpp"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace parley::messaging {

namespace {
constexpr int kSendFlags = MSG_NOSIGNAL | MSG_DONTWAIT;

// Whether a send to a full socket completes inline with -EAGAIN, as flush depends on. With
// MSG_DONTWAIT the kernel is asked not to wait for room; one that armed a poll instead would
// leave the loop's flush waiting on a completion that comes only when the reader reads.
bool completes_inline(io_uring& ring, std::string& why) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        why = std::string("socketpair: ") + std::strerror(errno);
        return false;
    }
    static char bytes[64 * 1024];
    bool inline_eagain = false;
    for (int i = 0; i < 256 && why.empty(); ++i) {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring);
        io_uring_prep_send(sqe, pair[0], bytes, sizeof bytes, kSendFlags);
        const int submitted = io_uring_submit(&ring);
        io_uring_cqe* cqe = nullptr;
        if (submitted != 1) {
            why = std::string("io_uring_enter: ") + std::strerror(submitted < 0 ? -submitted : EIO);
        } else if (io_uring_peek_cqe(&ring, &cqe) != 0) {
            why = "a send to a full socket did not complete at once";
        } else {
            const int res = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            inline_eagain = res == -EAGAIN;
            if (inline_eagain) break;
            if (res < 0) why = std::string("send: ") + std::strerror(-res);
        }
    }
    ::close(pair[0]);
    ::close(pair[1]);
    if (!inline_eagain && why.empty()) why = "a full socket never reported EAGAIN";
    return inline_eagain;
}
}  // namespace

std::unique_ptr<SendBatch> SendBatch::open(std::string& why) {
    auto ring = std::make_unique<io_uring>();
    // The newer flags only spare the kernel work; older kernels refuse them with EINVAL.
    int r = -EINVAL;
    for (unsigned flags : {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
                           unsigned{IORING_SETUP_COOP_TASKRUN}, 0u}) {
        r = io_uring_queue_init(kEntries, ring.get(), flags);
        if (r != -EINVAL) break;
    }
    if (r != 0) {
        why = std::string("io_uring_setup: ") + std::strerror(-r);
        return nullptr;
    }
    if (!completes_inline(*ring, why)) {
        io_uring_queue_exit(ring.get());
        return nullptr;
    }
    return std::unique_ptr<SendBatch>(new SendBatch(std::move(ring)));
}

SendBatch::SendBatch(std::unique_ptr<io_uring> ring) : ring_(std::move(ring)), slots_(kEntries) {
    done_.reserve(kEntries);
}

SendBatch::~SendBatch() {
    io_uring_queue_exit(ring_.get());
}

std::span<char> SendBatch::scratch() {
    // Not value-initialised: pages are touched only as corked bytes are written.
    if (!scratch_) scratch_.reset(new char[kScratchBytes]);
    return {scratch_.get() + scratch_used_, kScratchBytes - scratch_used_};
}

void SendBatch::add(int fd, const char* data, std::size_t size, std::size_t scratch_used,
                    std::uint32_t tag) {
    if (late_for_tests_) {
        // Behind a 10 ms timeout that fails its link: the send completes late, cancelled.
        static __kernel_timespec ten_ms{.tv_sec = 0, .tv_nsec = 10'000'000};
        io_uring_sqe* timeout = io_uring_get_sqe(ring_.get());
        io_uring_prep_timeout(timeout, &ten_ms, 0, 0);
        io_uring_sqe_set_data64(timeout, kEntries);  // not a send's slot
        timeout->flags |= IOSQE_IO_LINK;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());  // never null: at most kEntries added
    io_uring_prep_send(sqe, fd, data, size, kSendFlags);
    io_uring_sqe_set_data64(sqe, added_);
    slots_[added_] = Slot{fd, data, size, tag, kPending};
    scratch_used_ += scratch_used;
    ++added_;
}

std::span<const SendBatch::Completion> SendBatch::submit() {
    done_.clear();
    const unsigned added = std::exchange(added_, 0);
    scratch_used_ = 0;
    if (added == 0) return {};
    // An io_uring_enter error submits nothing; its sends all go out with send() below.
    if (broken_ || io_uring_submit(ring_.get()) < 0) {
        broken_ = true;
    } else {
        reap();
        if (pending(added) > 0) {
            // Not what completes_inline() found: give the rest a moment, then cancel it.
            broken_ = true;
            __kernel_timespec wait{.tv_sec = 1, .tv_nsec = 0};
            io_uring_cqe* cqe;
            while (pending(added) > 0 && io_uring_wait_cqe_timeout(ring_.get(), &cqe, &wait) == 0)
                reap();
            if (pending(added) > 0) cancel(added);
        }
    }
    for (unsigned i = 0; i < added; ++i) {
        Slot& slot = slots_[i];
        // What the ring did not carry (not submitted, or cancelled above) goes out with send()
        // here: the caller sees send()'s outcome either way, and this ring is not used again.
        if (slot.result == kPending || slot.result == -ECANCELED) {
            ssize_t n;
            do n = ::send(slot.fd, slot.data, slot.size, kSendFlags);
            while (n < 0 && errno == EINTR);
            slot.result = n < 0 ? -errno : n;
        }
        done_.push_back({slot.tag, slot.size, slot.result});
    }
    return done_;
}

void SendBatch::reap() {
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(ring_.get(), head, cqe) {
        const auto slot = io_uring_cqe_get_data64(cqe);
        if (slot < kEntries) slots_[slot].result = cqe->res;
        ++seen;
    }
    io_uring_cq_advance(ring_.get(), seen);
}

unsigned SendBatch::pending(unsigned added) const {
    unsigned n = 0;
    for (unsigned i = 0; i < added; ++i) n += slots_[i].result == kPending;
    return n;
}

void SendBatch::cancel(unsigned added) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, kEntries);  // not a send's slot
    if (io_uring_submit(ring_.get()) == 1) {
        // Each cancelled send completes: -ECANCELED, or its result if it finished meanwhile.
        __kernel_timespec wait{.tv_sec = 1, .tv_nsec = 0};
        io_uring_cqe* cqe;
        while (pending(added) > 0 && io_uring_wait_cqe_timeout(ring_.get(), &cqe, &wait) == 0)
            reap();
    }
    // Still in the kernel's hands: whether any of it was sent is unknown, so it must not be
    // sent again; its connection is closed (a failed send).
    for (unsigned i = 0; i < added; ++i)
        if (slots_[i].result == kPending) slots_[i].result = -EIO;
}

}  // namespace parley::messaging
