#include "loop_group.hpp"

namespace parley::load {

LoopGroup::LoopGroup(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i) {
        loops_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(loops_.back()->get_executor());
    }
    for (auto& l : loops_) threads_.emplace_back([io = l.get()] { io->run(); });
}

LoopGroup::~LoopGroup() {
    stop();
}

void LoopGroup::stop() {
    guards_.clear();
    for (auto& l : loops_) l->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace parley::load
