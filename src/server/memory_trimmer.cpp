#include "server/memory_trimmer.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>

namespace parley::server {

MemoryTrimmer::MemoryTrimmer(boost::asio::io_context& ctx, Count open_connections,
                             std::size_t drop_before_trim)
    : timer_(ctx),
      open_connections_(std::move(open_connections)),
      drop_before_trim_(drop_before_trim) {}

void MemoryTrimmer::start() {
    schedule();
}

void MemoryTrimmer::stop() {
    timer_.cancel();
}

bool MemoryTrimmer::check() {
    std::size_t now = open_connections_();
    peak_ = std::max(peak_, now);
    if (peak_ - now < drop_before_trim_) return false;
    ::malloc_trim(0);
    peak_ = now;
    return true;
}

void MemoryTrimmer::schedule() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        check();
        schedule();
    });
}

}  // namespace parley::server
