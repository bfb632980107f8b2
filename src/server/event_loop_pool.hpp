#pragma once
// One io_context per thread; a connection lives on one loop for its life.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace parley::server {

class EventLoopPool {
  public:
    explicit EventLoopPool(unsigned loops);
    ~EventLoopPool();
    void start();
    void stop();  // stops every loop and joins the threads
    // Between start() and stop().
    bool running() const { return !threads_.empty(); }
    boost::asio::io_context& loop(std::size_t i) { return *loops_[i]; }
    std::size_t size() const { return loops_.size(); }
    boost::asio::io_context& next();  // round robin

  private:
    std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace parley::server
