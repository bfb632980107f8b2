#pragma once
// The client's event loops: one io_context per thread, each connection lives on
// one loop for its life, so per-loop state needs no locks. run_on() is how the
// main thread reads it.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace parley::load {

class LoopGroup {
  public:
    explicit LoopGroup(std::size_t threads);
    ~LoopGroup();  // stops the loops and joins their threads
    LoopGroup(const LoopGroup&) = delete;
    LoopGroup& operator=(const LoopGroup&) = delete;

    std::size_t size() const { return loops_.size(); }
    boost::asio::io_context& loop(std::size_t i) { return *loops_[i]; }

    // Runs fn on loop i and returns its result; the loop must be running.
    template <class F>
    auto run_on(std::size_t i, F fn) -> decltype(fn()) {
        std::packaged_task<decltype(fn())()> task(std::move(fn));
        auto result = task.get_future();
        boost::asio::post(*loops_[i], [&task] { task(); });
        return result.get();
    }

    void stop();

  private:
    using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
    std::vector<Guard> guards_;
    std::vector<std::thread> threads_;
};

}  // namespace parley::load
