#include "server/event_loop_pool.hpp"

#include <spdlog/spdlog.h>

namespace parley::server {

EventLoopPool::EventLoopPool(unsigned loops) {
    if (loops == 0) loops = 1;
    for (unsigned i = 0; i < loops; ++i) {
        loops_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(loops_.back()->get_executor());
    }
}

EventLoopPool::~EventLoopPool() {
    stop();
}

void EventLoopPool::start() {
    for (auto& l : loops_) {
        threads_.emplace_back([ctx = l.get()] {
            for (;;) {
                try {
                    ctx->run();
                    return;
                } catch (const std::exception& e) {
                    // A handler threw: log it and keep the loop alive for its other connections.
                    spdlog::error("event loop caught an exception: {}", e.what());
                }
            }
        });
    }
}

void EventLoopPool::stop() {
    guards_.clear();
    for (auto& l : loops_) l->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

boost::asio::io_context& EventLoopPool::next() {
    return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

}  // namespace parley::server
