#include "messaging/outbound_queue.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

using parley::messaging::OutboundQueue;
using parley::messaging::SharedFrame;

namespace {

struct SocketPair {
    int fd[2] = {-1, -1};
    SocketPair() {
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
        int small = 4096;
        ::setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        ::setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    ~SocketPair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    std::string read_available() {
        std::string out;
        char buf[65536];
        for (;;) {
            auto n = ::recv(fd[1], buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
};

SharedFrame frame(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST(OutboundQueueTest, WritesEveryQueuedFrameInOrderInOneGo) {
    SocketPair p;
    OutboundQueue q;
    q.push(frame("one,"));
    q.push(frame("two,"));
    q.push(frame("three"));
    EXPECT_EQ(q.bytes(), 13u);
    EXPECT_EQ(q.write_to(p.fd[0]), OutboundQueue::WriteResult::Drained);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
    EXPECT_EQ(p.read_available(), "one,two,three");
}

TEST(OutboundQueueTest, AFullSocketKeepsTheRestAndResumesMidFrame) {
    SocketPair p;
    OutboundQueue q;
    std::string expected;
    // More than the socket pair buffers, in frames of odd sizes so a write stops mid-frame.
    for (int i = 0; i < 400; ++i) {
        std::string f(97 + i % 13, static_cast<char>('a' + i % 26));
        expected += f;
        q.push(frame(f));
    }
    std::string got;
    int would_block = 0;
    for (int round = 0; round < 10000 && !q.empty(); ++round) {
        auto r = q.write_to(p.fd[0]);
        ASSERT_NE(r, OutboundQueue::WriteResult::Failed);
        if (r == OutboundQueue::WriteResult::WouldBlock) ++would_block;
        std::string now = p.read_available();
        got += now;
        // Everything not yet read by the peer is either in the socket or still queued.
        EXPECT_LE(q.bytes(), expected.size() - got.size());
        // Frames queued meanwhile go out behind the partly written one.
        if (round == 1) {
            expected += "late";
            q.push(frame("late"));
        }
    }
    got += p.read_available();
    EXPECT_GT(would_block, 0);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(got, expected);
}

TEST(OutboundQueueTest, APeerThatWentAwayFailsWithoutSigpipe) {
    SocketPair p;
    ::close(p.fd[1]);
    p.fd[1] = -1;
    OutboundQueue q;
    q.push(frame("hello"));
    EXPECT_EQ(q.write_to(p.fd[0]), OutboundQueue::WriteResult::Failed);  // EPIPE, process alive
}

TEST(OutboundQueueTest, GatherAndConsumeTrackAPartialWrite) {
    OutboundQueue q;
    q.push(frame("abc"));
    q.push(frame("defg"));
    q.consume(2);
    std::vector<boost::asio::const_buffer> bufs;
    q.gather(bufs);
    ASSERT_EQ(bufs.size(), 2u);
    EXPECT_EQ(std::string(static_cast<const char*>(bufs[0].data()), bufs[0].size()), "c");
    EXPECT_EQ(q.bytes(), 5u);
    q.consume(5);
    EXPECT_TRUE(q.empty());
    q.release_memory();
    EXPECT_EQ(q.bytes(), 0u);
}
