// Redis Streams entry ids: parsed, ordered, printed (the cluster history's dedupe key).
#include <gtest/gtest.h>

#include "bus/stream_id.hpp"

namespace parley::bus {
namespace {

TEST(StreamId, ParsesAndPrints) {
    auto id = parse_stream_id("1700000000000-3");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->ms, 1700000000000u);
    EXPECT_EQ(id->seq, 3u);
    EXPECT_EQ(id->str(), "1700000000000-3");
    EXPECT_EQ(parse_stream_id("42")->seq, 0u);
}

TEST(StreamId, RefusesMalformed) {
    for (const char* bad : {"", "-", "1-", "-1", "a-1", "1-b", "1-2-3", " 1-2"})
        EXPECT_FALSE(parse_stream_id(bad)) << bad;
}

TEST(StreamId, OrdersByMillisecondsThenSequence) {
    EXPECT_LT(*parse_stream_id("5-9"), *parse_stream_id("6-0"));
    EXPECT_LT(*parse_stream_id("6-1"), *parse_stream_id("6-10"));
    EXPECT_TRUE(StreamId{}.empty());
}

}  // namespace
}  // namespace parley::bus
