#include "messaging/loop_mailbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using parley::messaging::LoopMailbox;

namespace {

// A loop on its own thread, as the server runs them, with a mailbox made before it starts.
struct RunningLoop {
    boost::asio::io_context loop{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
        loop.get_executor()};
    LoopMailbox mailbox{loop};
    std::thread thread;
    void start() {
        thread = std::thread([this] { loop.run(); });
    }
    ~RunningLoop() {
        loop.stop();
        if (thread.joinable()) thread.join();
    }
};

bool wait_until(const std::atomic<int>& n, int target) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (n.load() < target && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return n.load() >= target;
}

}  // namespace

TEST(LoopMailboxTest, WorkFromOtherThreadsRunsOnTheLoopInTheOrderPosted) {
    RunningLoop l;
    l.start();
    std::vector<int> seen;  // touched on the loop's thread only
    std::atomic<int> done{0};
    std::atomic<bool> on_loop{true};
    constexpr int kItems = 20000;
    std::thread poster([&] {
        for (int i = 0; i < kItems; ++i) {
            l.mailbox.post([&, i] {
                if (!l.loop.get_executor().running_in_this_thread()) on_loop = false;
                seen.push_back(i);
                ++done;
            });
            if (i % 1000 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    poster.join();
    ASSERT_TRUE(wait_until(done, kItems));
    EXPECT_TRUE(on_loop.load());
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kItems));
    for (int i = 0; i < kItems; ++i) ASSERT_EQ(seen[i], i);
}

TEST(LoopMailboxTest, WorkPostedBeforeTheLoopRunsIsServedWhenItStarts) {
    RunningLoop l;
    std::atomic<int> done{0};
    l.mailbox.post([&] { ++done; });
    l.mailbox.post([&] { ++done; });
    l.start();
    EXPECT_TRUE(wait_until(done, 2));
}

TEST(LoopMailboxTest, WorkPostedFromTheLoopRunsOnALaterPassAndAThrowDropsNothingElse) {
    RunningLoop l;
    l.start();
    std::atomic<int> done{0};
    std::vector<int> order;
    l.mailbox.post([&] {
        order.push_back(1);
        l.mailbox.post([&] {
            order.push_back(3);
            ++done;
        });
        throw std::runtime_error("a handler failed");
    });
    l.mailbox.post([&] {
        order.push_back(2);
        ++done;
    });
    ASSERT_TRUE(wait_until(done, 2));
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}
