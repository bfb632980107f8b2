// RedisBus against a real redis-server started here on a free loopback port (skipped when the
// binary is missing): publish/subscribe between two buses, single-use claims, the rate bucket,
// Unavailable while Redis is down, and reconnect with resubscribe after a restart.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "bus/redis_bus.hpp"

using namespace parley::bus;
using namespace std::chrono_literals;

namespace {

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

class RedisServer {
  public:
    explicit RedisServer(int port) : port_(port) { start(); }
    ~RedisServer() { stop(); }
    void start() {
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a crashed or killed test
            auto p = std::to_string(port_);
            ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel",
                     "warning", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::this_thread::sleep_for(300ms);
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

  private:
    int port_;
    pid_t pid_ = -1;
};

bool have_redis() {
    return std::filesystem::exists("/usr/bin/redis-server");
}

struct Node {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};
    std::unique_ptr<RedisBus> bus;
    std::thread thread;
    std::mutex mutex;
    std::vector<std::string> got;

    explicit Node(int port) {
        RedisUrl url;
        url.port = port;
        bus = std::make_unique<RedisBus>(io, url);
        bus->set_delivery([this](std::string_view, std::string_view payload) {
            std::lock_guard lock(mutex);
            got.emplace_back(payload);
        });
        bus->start();
        thread = std::thread([this] { io.run(); });
    }
    ~Node() {
        std::promise<void> done;
        boost::asio::post(io, [&] {
            bus->stop();
            done.set_value();
        });
        done.get_future().wait();
        work.reset();
        io.stop();
        thread.join();
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return got.size();
    }
    // A request never answered fails the test instead of hanging it.
    Verdict call(const std::function<void(Done)>& f) {
        auto p = std::make_shared<std::promise<Verdict>>();
        auto answer = p->get_future();
        f([p](Verdict v) { p->set_value(v); });
        if (answer.wait_for(10s) != std::future_status::ready) {
            ADD_FAILURE() << "no answer from the bus within 10 s";
            return Verdict::Unavailable;
        }
        return answer.get();
    }
};

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

}  // namespace

TEST(RedisBus, PublishSubscribeClaimRateAndRestart) {
    if (!have_redis()) GTEST_SKIP() << "redis-server is not installed";
    int port = free_port();
    RedisServer redis(port);
    Node a(port), b(port);
    ASSERT_TRUE(wait_until([&] { return a.bus->healthy() && b.bus->healthy(); }));

    b.bus->subscribe("room1");
    std::this_thread::sleep_for(200ms);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(a.call([&](Done d) { a.bus->publish("room1", "m" + std::to_string(i), d); }),
                  Verdict::Accepted);
    ASSERT_TRUE(wait_until([&] { return b.count() == 5; }));
    {
        std::lock_guard lock(b.mutex);
        EXPECT_EQ(b.got, (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
    }
    EXPECT_EQ(a.count(), 0u);  // a never subscribed

    EXPECT_EQ(a.call([&](Done d) { a.bus->claim_once("parley:token:t1", 60000, d); }),
              Verdict::Accepted);
    EXPECT_EQ(b.call([&](Done d) { b.bus->claim_once("parley:token:t1", 60000, d); }),
              Verdict::Refused);

    // A bucket of 3 a second shared by both nodes: 3 taken, the 4th refused on either.
    int taken = 0;
    for (int i = 0; i < 4; ++i) {
        Node& n = i % 2 ? b : a;
        if (n.call([&](Done d) { n.bus->take_rate_then_publish("room2", 3, "", d); }) ==
            Verdict::Accepted)
            ++taken;
    }
    EXPECT_EQ(taken, 3);

    redis.stop();
    ASSERT_TRUE(wait_until([&] { return !a.bus->healthy() && !b.bus->healthy(); }));
    EXPECT_EQ(a.call([&](Done d) { a.bus->publish("room1", "lost?", d); }), Verdict::Unavailable);
    EXPECT_EQ(a.call([&](Done d) { a.bus->claim_once("parley:token:t2", 1000, d); }),
              Verdict::Unavailable);

    redis.start();
    ASSERT_TRUE(wait_until([&] { return a.bus->healthy() && b.bus->healthy(); }));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(a.call([&](Done d) { a.bus->publish("room1", "again", d); }), Verdict::Accepted);
    ASSERT_TRUE(wait_until([&] { return b.count() == 6; }));  // resubscribed
    {
        std::lock_guard lock(b.mutex);
        EXPECT_EQ(b.got.back(), "again");
    }

    // The last member leaves and another joins at once: still subscribed.
    b.bus->unsubscribe("room1");
    b.bus->subscribe("room1");
    EXPECT_EQ(a.call([&](Done d) { a.bus->publish("room1", "rejoined", d); }), Verdict::Accepted);
    ASSERT_TRUE(wait_until([&] { return b.count() == 7; }));
    // Left for good: unsubscribed after the 2 s grace.
    b.bus->unsubscribe("room1");
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(a.call([&](Done d) { a.bus->publish("room1", "nobody", d); }), Verdict::Accepted);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(b.count(), 7u);
}

// Leaves and joins racing the lazy UNSUBSCRIBE: a room left twice must not send two
// UNSUBSCRIBEs, and a join while one is in flight (or the link's last channel going away)
// must not cross it. hiredis 0.14 aborts the process on either.
TEST(RedisBus, JoinLeaveChurnKeepsDeliveringAndNeverCrashes) {
    if (!have_redis()) GTEST_SKIP() << "redis-server is not installed";
    int port = free_port();
    RedisServer redis(port);
    Node a(port), b(port);
    ASSERT_TRUE(wait_until([&] { return a.bus->healthy() && b.bus->healthy(); }));

    b.bus->subscribe("r");
    b.bus->unsubscribe("r");
    b.bus->subscribe("r");
    b.bus->unsubscribe("r");  // two leaves: their 2 s timers expire together
    std::this_thread::sleep_for(2300ms);
    b.bus->subscribe("r");  // joined again just after the UNSUBSCRIBE went out
    ASSERT_TRUE(wait_until([&] {
        a.call([&](Done d) { a.bus->publish("r", "x", d); });
        return b.count() > 0;
    }));
    for (int round = 0; round < 8; ++round) {
        b.bus->unsubscribe("r");
        std::this_thread::sleep_for(std::chrono::milliseconds(1995 + 2 * round));
        b.bus->subscribe("r");
    }
    std::this_thread::sleep_for(300ms);
    const auto before = b.count();
    EXPECT_EQ(a.call([&](Done d) { a.bus->publish("r", "last", d); }), Verdict::Accepted);
    ASSERT_TRUE(wait_until([&] { return b.count() > before; }));
    {
        std::lock_guard lock(b.mutex);
        EXPECT_EQ(b.got.back(), "last");
    }
    EXPECT_TRUE(b.bus->healthy());
}
