// The SQLite persistence of message history: batched writes, trimming by count and age,
// deletes, and what a restart loads back.
#include <gtest/gtest.h>

#include "store/history_log.hpp"
#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::TemporaryDirectory;

constexpr std::int64_t kSecond = 1'000'000'000;

HistoryRecord record(std::string room, std::uint64_t seq, std::int64_t time_ns) {
    return HistoryRecord{.room_id = std::move(room),
                         .seq = seq,
                         .message_id = "msg" + std::to_string(seq),
                         .send_time_ns = time_ns,
                         .json = "{\"n\":" + std::to_string(seq) + "}"};
}

class HistoryLogTest : public ::testing::Test {
  protected:
    void SetUp() override { open_sqlite_store(dir.database()); }  // creates and migrates
    TemporaryDirectory dir;
    std::int64_t now = 1'800'000'000 * kSecond;
};

TEST_F(HistoryLogTest, KeepsTheNewestPerRoomAndLoadsThemBackInOrder) {
    {
        SqliteHistoryLog log(dir.database(), 3, 0);
        for (std::uint64_t i = 1; i <= 5; ++i) log.append(record("a", i, now + i));
        log.append(record("b", 1, now));
        log.flush();
    }
    SqliteHistoryLog log(dir.database(), 3, 0);
    auto loaded = log.load(now);
    ASSERT_EQ(loaded.size(), 4u);
    EXPECT_EQ(loaded[0].room_id, "a");
    EXPECT_EQ(loaded[0].seq, 3u);
    EXPECT_EQ(loaded[2].seq, 5u);
    EXPECT_EQ(loaded[2].json, "{\"n\":5}");
    EXPECT_EQ(loaded[2].message_id, "msg5");
    EXPECT_EQ(loaded[3].room_id, "b");
}

TEST_F(HistoryLogTest, RemovesDeletedMessagesAndDroppedRooms) {
    {
        SqliteHistoryLog log(dir.database(), 10, 0);
        for (std::uint64_t i = 1; i <= 3; ++i) log.append(record("a", i, now));
        log.append(record("b", 1, now));
        log.remove("a", "msg2");
        log.drop_room("b");
        log.flush();
    }
    SqliteHistoryLog log(dir.database(), 10, 0);
    auto loaded = log.load(now);
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].seq, 1u);
    EXPECT_EQ(loaded[1].seq, 3u);
}

TEST_F(HistoryLogTest, DropsMessagesPastTheAgeLimit) {
    {
        SqliteHistoryLog log(dir.database(), 10, 60 * kSecond);
        log.append(record("a", 1, now - 120 * kSecond));
        log.append(record("a", 2, now - 10 * kSecond));
        log.flush();
    }
    SqliteHistoryLog log(dir.database(), 10, 60 * kSecond);
    auto loaded = log.load(now);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].seq, 2u);
}

TEST_F(HistoryLogTest, WritesInBatchesNotOneTransactionPerMessage) {
    SqliteHistoryLog log(dir.database(), 1000, 0);
    for (std::uint64_t i = 1; i <= 500; ++i) log.append(record("a", i, now));
    log.flush();
    EXPECT_LE(log.batches_written(), 3u);
    EXPECT_EQ(log.load(now).size(), 500u);
}

}  // namespace
}  // namespace parley::store
