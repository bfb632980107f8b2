#include "messaging/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::messaging {
namespace {

TEST(Utf8Validator, AcceptsWellFormedText) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii, long enough to use the eight-byte fast path"));
    EXPECT_TRUE(is_valid_utf8(std::string_view("nul\0inside", 10)));
    EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
}

TEST(Utf8Validator, BoundaryCodePoints) {
    EXPECT_TRUE(is_valid_utf8("\x7F"));              // U+007F
    EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080
    EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));          // U+07FF
    EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800
    EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
    EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
    EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
    EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000
    EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(Utf8Validator, RejectsOverlongs) {
    for (const char* s :
         {"\xC0\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x80\xAF", "\xE0\x9F\xBF",
          "\xF0\x80\x80\x80", "\xF0\x80\x80\xAF", "\xF0\x8F\xBF\xBF"})
        EXPECT_FALSE(is_valid_utf8(s)) << s;
}

TEST(Utf8Validator, RejectsSurrogates) {
    for (const char* s : {"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xAE\x80", "\xED\xBF\xBF",
                          "\xED\xA0\x80\xED\xB0\x80"})  // an encoded surrogate pair (CESU-8)
        EXPECT_FALSE(is_valid_utf8(s)) << s;
}

TEST(Utf8Validator, RejectsAboveU10FFFF) {
    for (const char* s :
         {"\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF",
          "\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF"})
        EXPECT_FALSE(is_valid_utf8(s)) << s;
}

TEST(Utf8Validator, RejectsTruncatedAndStrayBytes) {
    for (const char* s : {"\xC3", "\xE2\x82", "\xF0\x9F\x98", "\x80", "\xBF",
                          "a\x80"
                          "b",
                          "\xC3\x28", "\xE2\x28\xA1", "\xE2\x82\x28", "\xF0\x28\x8C\xBC",
                          "\xF0\x9F\x98\x28", "\xC3\xA9\xA9"})
        EXPECT_FALSE(is_valid_utf8(s)) << s;
}

TEST(Utf8Validator, BadByteAfterAsciiRunIsFoundAtEveryPosition) {
    for (std::size_t pos = 0; pos < 40; ++pos) {
        std::string s(40, 'a');
        s[pos] = '\xff';
        EXPECT_FALSE(is_valid_utf8(s)) << pos;
        s[pos] = '\x7f';
        EXPECT_TRUE(is_valid_utf8(s)) << pos;
    }
}

TEST(Utf8Validator, StreamingMatchesWholeAtEverySplit) {
    const std::string valid = "ab\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 0123456789abcdef";
    const std::string invalid = "ab\xC3\xA9\xE2\x82\xAC\xED\xA0\x80 xyz";
    for (std::size_t i = 0; i <= valid.size(); ++i) {
        for (std::size_t j = i; j <= valid.size(); ++j) {
            Utf8Validator v;
            EXPECT_TRUE(v.feed(std::string_view(valid).substr(0, i)));
            EXPECT_TRUE(v.feed(std::string_view(valid).substr(i, j - i)));
            EXPECT_TRUE(v.feed(std::string_view(valid).substr(j)));
            EXPECT_TRUE(v.complete()) << i << "," << j;
        }
    }
    for (std::size_t i = 0; i <= invalid.size(); ++i) {
        Utf8Validator v;
        const bool ok = v.feed(std::string_view(invalid).substr(0, i)) &&
                        v.feed(std::string_view(invalid).substr(i));
        EXPECT_FALSE(ok) << i;
    }
}

TEST(Utf8Validator, IncompleteUntilTheSequenceEnds) {
    Utf8Validator v;
    EXPECT_TRUE(v.feed("\xF0\x9F"));
    EXPECT_FALSE(v.complete());
    EXPECT_TRUE(v.feed("\x98\x80"));
    EXPECT_TRUE(v.complete());
    EXPECT_FALSE(v.feed("\x80"));
    EXPECT_FALSE(v.feed("ok"));  // a rejected stream stays rejected
    v.reset();
    EXPECT_TRUE(v.feed("ok"));
}

TEST(Utf8CodePoints, CountsCodePointsNotBytes) {
    EXPECT_EQ(utf8_code_points(""), 0u);
    EXPECT_EQ(utf8_code_points("hello"), 5u);
    EXPECT_EQ(utf8_code_points("h\xC3\xA9llo\xF0\x9F\x98\x80"), 6u);
    EXPECT_EQ(utf8_code_points("\xE2\x82\xAC\xE2\x82\xAC"), 2u);
    EXPECT_EQ(utf8_code_points(std::string(500, 'a')), 500u);
    std::string emoji;
    for (int i = 0; i < 500; ++i) emoji += "\xF0\x9F\x98\x80";
    EXPECT_EQ(utf8_code_points(emoji), 500u);
}

}  // namespace
}  // namespace parley::messaging

TEST(Utf8Prefix, NeverSplitsACharacter) {
    using parley::messaging::utf8_prefix;
    EXPECT_EQ(utf8_prefix("abc", 10), "abc");
    EXPECT_EQ(utf8_prefix("abc", 2), "ab");
    // "é" is 2 bytes, "😀" is 4: a cut inside either falls back to the character's start.
    EXPECT_EQ(utf8_prefix("a\xC3\xA9", 2), "a");
    EXPECT_EQ(utf8_prefix("\xF0\x9F\x98\x80x", 3), "");
    EXPECT_EQ(utf8_prefix("\xF0\x9F\x98\x80x", 4), "\xF0\x9F\x98\x80");
}
