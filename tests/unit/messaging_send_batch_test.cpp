#include "messaging/send_batch.hpp"

#include "messaging_socket_pair.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

using parley::messaging::SendBatch;

// Non-blocking, as the server's sockets are.
struct Pair : parley::messaging::testing::SocketPair {
    explicit Pair(int buffer_bytes = 4096) : SocketPair(buffer_bytes, SOCK_NONBLOCK) {}
};

namespace parley::messaging {
struct SendBatchTestAccess {
    static void complete_late(SendBatch& b) { b.late_for_tests_ = true; }
};
}  // namespace parley::messaging

namespace {

// The kernel may refuse io_uring (seccomp, a container's profile, an old kernel): the server
// then writes one send() at a time, and these tests have nothing to test.
std::unique_ptr<SendBatch> open_or_skip(std::string& why) {
    return SendBatch::open(why);
}
#define OPEN_BATCH(batch)           \
    std::string why;                \
    auto batch = open_or_skip(why); \
    if (!batch) GTEST_SKIP() << "io_uring unavailable here: " << why

std::map<std::uint32_t, long> by_tag(std::span<const SendBatch::Completion> done) {
    std::map<std::uint32_t, long> out;
    for (const auto& c : done) out[c.tag] = c.result;
    return out;
}

}  // namespace

TEST(SendBatchTest, OneSubmissionWritesToEverySocket) {
    OPEN_BATCH(batch);
    std::vector<std::unique_ptr<Pair>> pairs;
    std::vector<std::string> messages;
    for (int i = 0; i < 5; ++i) {
        pairs.push_back(std::make_unique<Pair>());
        messages.push_back("message " + std::to_string(i));
    }
    EXPECT_TRUE(batch->empty());
    for (std::uint32_t i = 0; i < 5; ++i)
        batch->add(pairs[i]->fd[0], messages[i].data(), messages[i].size(), 0, 100 + i);
    EXPECT_FALSE(batch->empty());
    const auto done = batch->submit();
    ASSERT_EQ(done.size(), 5u);
    for (const auto& c : done) {
        const std::size_t i = c.tag - 100;
        ASSERT_LT(i, 5u);
        EXPECT_EQ(c.asked, messages[i].size());
        EXPECT_EQ(c.result, static_cast<long>(messages[i].size()));
        EXPECT_EQ(pairs[i]->read_available(), messages[i]);
    }
    EXPECT_TRUE(batch->empty());
    EXPECT_TRUE(batch->submit().empty());  // nothing added: nothing sent
}

TEST(SendBatchTest, AFullSocketAndAClosedPeerAnswerAtOnce) {
    OPEN_BATCH(batch);
    Pair full, closed, fine;
    const std::string big(256 * 1024, 'x');
    while (::send(full.fd[0], big.data(), big.size(), MSG_DONTWAIT) > 0) {
    }
    ::close(closed.fd[1]);
    closed.fd[1] = -1;
    batch->add(full.fd[0], "a", 1, 0, 1);
    batch->add(closed.fd[0], "b", 1, 0, 2);  // no SIGPIPE: the test would die of it
    batch->add(fine.fd[0], "c", 1, 0, 3);
    const auto results = by_tag(batch->submit());
    EXPECT_EQ(results.at(1), -EAGAIN);
    EXPECT_EQ(results.at(2), -EPIPE);
    EXPECT_EQ(results.at(3), 1);
    EXPECT_FALSE(batch->broken());
}

TEST(SendBatchTest, ScratchIsTakenAsUsedAndFreeAgainAfterSubmit) {
    OPEN_BATCH(batch);
    Pair p;
    const std::size_t whole = batch->scratch().size();
    ASSERT_GE(whole, 64u * 1024);
    auto cork = batch->scratch();
    std::memcpy(cork.data(), "corked", 6);
    batch->add(p.fd[0], cork.data(), 6, 6, 0);
    EXPECT_EQ(batch->scratch().size(), whole - 6);
    EXPECT_EQ(batch->scratch().data(), cork.data() + 6);
    ASSERT_EQ(batch->submit().size(), 1u);
    EXPECT_EQ(p.read_available(), "corked");
    EXPECT_EQ(batch->scratch().size(), whole);
}

TEST(SendBatchTest, IsFullAtItsRingSizeAndSendsAFullBatch) {
    OPEN_BATCH(batch);
    // Spread over a few sockets: a unix socket charges each tiny send a whole buffer's overhead.
    std::vector<std::unique_ptr<Pair>> pairs;
    for (int i = 0; i < 8; ++i) pairs.push_back(std::make_unique<Pair>(0));
    std::size_t added = 0;
    while (!batch->full()) {
        batch->add(pairs[added % pairs.size()]->fd[0], "z", 1, 0,
                   static_cast<std::uint32_t>(added));
        ++added;
    }
    EXPECT_GE(added, 64u);
    const auto done = batch->submit();
    ASSERT_EQ(done.size(), added);
    for (const auto& c : done) EXPECT_EQ(c.result, 1);
    std::size_t received = 0;
    for (const auto& p : pairs) received += p->read_available().size();
    EXPECT_EQ(received, added);
    EXPECT_FALSE(batch->full());
}

// What a kernel that does not complete a send inline would make of a batch: the outcome still
// reaches the caller, each byte is sent once, and the batch asks to be dropped.
TEST(SendBatchTest, ASendThatDoesNotCompleteAtOnceIsWaitedForAndTheBatchGivesUp) {
    OPEN_BATCH(batch);
    parley::messaging::SendBatchTestAccess::complete_late(*batch);
    Pair a, b;
    batch->add(a.fd[0], "late", 4, 0, 1);
    batch->add(b.fd[0], "later", 5, 0, 2);
    auto results = by_tag(batch->submit());
    EXPECT_EQ(results.at(1), 4);
    EXPECT_EQ(results.at(2), 5);
    EXPECT_TRUE(batch->broken());
    // From then on the sends go out one by one, still with their outcomes.
    batch->add(a.fd[0], "!", 1, 0, 3);
    results = by_tag(batch->submit());
    EXPECT_EQ(results.at(3), 1);
    EXPECT_EQ(a.read_available(), "late!");
    EXPECT_EQ(b.read_available(), "later");
}
