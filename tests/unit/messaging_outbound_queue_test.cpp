#include "messaging/outbound_queue.hpp"

#include "messaging_socket_pair.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>
#include <string>

using parley::messaging::OutboundQueue;
using parley::messaging::SharedFrame;
using parley::messaging::testing::SocketPair;

namespace {

SharedFrame frame(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

OutboundQueue queued(std::initializer_list<const char*> frames) {
    OutboundQueue q;
    for (const char* f : frames) q.push(frame(f));
    return q;
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

// ---- the write in two halves (next_send / sent), as a batched flush uses it ----

TEST(OutboundQueueTest, NextSendCorksTheFramesThatFitTheCork) {
    OutboundQueue q = queued({"aaa", "bbbb", "ccccc"});
    char cork[8];
    const auto next = q.next_send(cork);
    EXPECT_TRUE(next.corked);
    EXPECT_EQ(next.data, cork);
    EXPECT_EQ(std::string(next.data, next.size), "aaabbbb");  // "ccccc" would not fit
    EXPECT_EQ(q.bytes(), 12u);                                // nothing consumed yet
}

TEST(OutboundQueueTest, NextSendSendsTheHeadAloneWhenTheNextFrameDoesNotFit) {
    OutboundQueue q = queued({"aaa", "bbbb"});
    char cork[6];
    auto next = q.next_send(cork);
    EXPECT_FALSE(next.corked);
    EXPECT_EQ(std::string(next.data, next.size), "aaa");
    next = q.next_send({});  // no cork at all: the head, straight from its frame
    EXPECT_FALSE(next.corked);
    EXPECT_EQ(std::string(next.data, next.size), "aaa");
}

TEST(OutboundQueueTest, SentConsumesWhatWasWrittenAndResumesMidFrame) {
    OutboundQueue q = queued({"aaa", "bbbb"});
    char cork[64];
    auto next = q.next_send(cork);
    ASSERT_EQ(next.size, 7u);
    // A short write: the socket is full.
    EXPECT_EQ(q.sent(5, next.size), OutboundQueue::WriteResult::WouldBlock);
    EXPECT_EQ(q.bytes(), 2u);
    next = q.next_send(cork);
    EXPECT_EQ(std::string(next.data, next.size), "bb");
    EXPECT_EQ(q.sent(2, next.size), OutboundQueue::WriteResult::Drained);
    EXPECT_TRUE(q.empty());
}

TEST(OutboundQueueTest, SentOfAWholeSendWithMoreQueuedIsDrainedButNotEmpty) {
    OutboundQueue q;
    const std::string big(OutboundQueue::kCorkBytes, 'x');
    q.push(frame(big));
    q.push(frame("tail"));
    static char cork[OutboundQueue::kCorkBytes];
    auto next = q.next_send(cork);
    EXPECT_FALSE(next.corked);  // the big frame fills a cork on its own
    EXPECT_EQ(q.sent(static_cast<long>(next.size), next.size), OutboundQueue::WriteResult::Drained);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.bytes(), 4u);
}

TEST(OutboundQueueTest, SentOfAnErrorSaysWouldBlockOrFailed) {
    OutboundQueue q = queued({"abc"});
    EXPECT_EQ(q.sent(-EAGAIN, 3), OutboundQueue::WriteResult::WouldBlock);
    EXPECT_EQ(q.bytes(), 3u);
    EXPECT_EQ(q.sent(-EPIPE, 3), OutboundQueue::WriteResult::Failed);
}
