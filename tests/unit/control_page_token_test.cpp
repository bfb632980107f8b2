#include <gtest/gtest.h>

#include "control/page_token_codec.hpp"

using parley::control::PageCursor;
using parley::control::PageTokenCodec;

TEST(PageToken, RoundTripsForTheSameFilters) {
    PageTokenCodec codec;
    auto token = codec.encode({1700000000123, "abcdEFGH1234"}, "name=lobby");
    auto cursor = codec.decode(token, "name=lobby");
    ASSERT_TRUE(cursor);
    EXPECT_EQ(cursor->update_time, 1700000000123);
    EXPECT_EQ(cursor->id, "abcdEFGH1234");
}

TEST(PageToken, RefusedForOtherFiltersOrAnotherProcess) {
    PageTokenCodec codec, other;
    auto token = codec.encode({1, "abcdEFGH1234"}, "a");
    EXPECT_FALSE(codec.decode(token, "b"));
    EXPECT_FALSE(other.decode(token, "a"));
}

TEST(PageToken, AnyChangedCharacterIsRefused) {
    PageTokenCodec codec;
    auto token = codec.encode({42, "abcdEFGH1234"}, "");
    for (std::size_t i = 0; i < token.size(); ++i) {
        auto t = token;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(codec.decode(t, "")) << "position " << i;
    }
    EXPECT_FALSE(codec.decode("", ""));
    EXPECT_FALSE(codec.decode("not a token!", ""));
}
