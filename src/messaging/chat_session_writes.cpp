#include "messaging/chat_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>

#include "messaging/room_hub.hpp"
#include "messaging/send_batch.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

void ChatSession::send(const SharedFrame& frame) {
    if (state_ != State::Open) return;
    ctx_.metrics.frames_delivered.fetch_add(1, std::memory_order_relaxed);
    queue(frame);
}

bool ChatSession::send_uncounted(const SharedFrame& frame) {
    if (state_ != State::Open) return false;
    queue(frame);
    return true;
}

void ChatSession::send_error(std::string_view id, std::string_view request_id, int code,
                             std::string_view message) {
    if (state_ != State::Open) return;
    ctx_.metrics.errors_sent.fetch_add(1, std::memory_order_relaxed);
    queue(text_frame(error_json(id, request_id, code, message)));
}

void ChatSession::queue(const SharedFrame& frame) {
    if (out_.bytes() + frame->size() > ctx_.settings.max_outbound_bytes) {
        // A reader this far behind would make memory grow without bound: drop it.
        ctx_.metrics.slow_consumers_disconnected.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("chat connection of user {} in room {} disconnected: send queue over {} bytes",
                     identity_.user_id(), room_id_, ctx_.settings.max_outbound_bytes);
        return abort();
    }
    out_.push(frame);
    if (!dirty_ && !writing_) {
        dirty_ = true;
        ctx_.hub->mark_dirty(this);
    }
}

// Once per loop turn for a connection with queued frames (corked): a plain socket is written
// here and now; only what it does not take waits for it to become writable.
void ChatSession::flush() {
    if (begin_flush()) finish_write(out_.write_to(socket_.native_handle()));
}

bool ChatSession::begin_flush() {
    dirty_ = false;
    if (writing_ || out_.empty() || state_ == State::Closed) return false;
    if (tls_) {
        flush_tls();
        return false;
    }
    return true;
}

void ChatSession::finish_write(OutboundQueue::WriteResult result) {
    switch (result) {
        case OutboundQueue::WriteResult::Drained:
            return after_drained();
        case OutboundQueue::WriteResult::WouldBlock:
            // Full (EAGAIN or a short send): the kernel signals room with a new edge.
            socket_.clear_ready(PolledSocket::Write);
            return wait_writable();
        case OutboundQueue::WriteResult::Failed:
            return abort();
    }
}

// The loop's corked flush: one send per session as flush() makes it, but all of them handed to
// the kernel in one system call. A session with more than one send's worth queued (over 16 KiB,
// or corked bytes the batch had no room for) writes the rest itself.
void ChatSession::flush_all(std::span<const SessionPtr> sessions, SendBatch& batch) {
    std::size_t next = 0;
    while (next < sessions.size()) {
        for (; next < sessions.size() && !batch.full(); ++next) {
            ChatSession& s = *sessions[next];
            if (s.state_ == State::Closed || !s.begin_flush()) continue;
            const auto send = s.out_.next_send(batch.scratch());
            batch.add(s.socket_.native_handle(), send.data, send.size, send.corked ? send.size : 0,
                      static_cast<std::uint32_t>(next));
        }
        for (const auto& done : batch.submit()) {
            ChatSession& s = *sessions[done.tag];
            const auto result = s.out_.sent(done.result, done.asked);
            if (result == OutboundQueue::WriteResult::Drained && !s.out_.empty())
                s.finish_write(s.out_.write_to(s.socket_.native_handle()));
            else
                s.finish_write(result);
        }
        if (batch.broken()) {  // the rest one by one (SendBatch::submit)
            for (; next < sessions.size(); ++next)
                if (sessions[next]->state_ != State::Closed) sessions[next]->flush();
        }
    }
}

void ChatSession::wait_writable() {
    writing_ = true;
    socket_.park(PolledSocket::Write, &ChatSession::on_writable_ready, this);
}

void ChatSession::on_writable_ready(void* p, const boost::system::error_code& ec) {
    auto self = static_cast<ChatSession*>(p)->ref();  // alive until this returns
    self->writing_ = false;
    if (self->state_ == State::Closed) return;
    if (ec) return self->abort();
    self->flush();
}

// TLS keeps Asio's composed write through OpenSSL: one write at a time, frames queued meanwhile
// go out with the next.
void ChatSession::flush_tls() {
    std::vector<asio::const_buffer> buffers;
    out_.gather(buffers);
    writing_ = true;
    asio::async_write(*tls_, buffers,
                      [self = ref()](const boost::system::error_code& ec, std::size_t n) {
                          self->writing_ = false;
                          if (self->state_ == State::Closed) return;
                          if (ec) return self->abort();
                          self->out_.consume(n);
                          if (!self->out_.empty()) return self->flush();
                          self->after_drained();
                      });
}

void ChatSession::after_drained() {
    if (shutdown_after_flush_) {
        shutdown_after_flush_ = false;
        shutdown_send();
        // Keep reading until the peer closes too (or the linger deadline in tick()).
    }
}

}  // namespace parley::messaging
