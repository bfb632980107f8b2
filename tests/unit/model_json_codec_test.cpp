// JSON text <-> Value: round trips, member order, escaping, and refusal (never a crash) of
// malformed text, non-integer numbers, out-of-range numbers, deep nesting and invalid UTF-8.
#include <gtest/gtest.h>

#include "model/json_codec.hpp"

namespace parley::model {
namespace {

std::string round_trip(std::string_view json) {
    auto r = parse_json(json);
    EXPECT_TRUE(r.value) << r.error;
    return r.value ? to_json(*r.value) : std::string();
}

bool refused(std::string_view json) {
    auto r = parse_json(json);
    return !r.value && !r.error.empty();
}

TEST(JsonCodec, RoundTripsEveryKind) {
    const std::string json =
        R"({"s":"text","i":-42,"big":9223372036854775807,"t":true,"f":false,"n":null,)"
        R"("l":[1,"two",[],{}],"o":{"z":1,"a":2}})";
    EXPECT_EQ(round_trip(json), json);  // member order is kept, not sorted
}

TEST(JsonCodec, ObjectsBecomeStructures) {
    auto v = parse_json(R"({"a":{"b":1}})").value;
    ASSERT_TRUE(v);
    EXPECT_EQ(v->kind(), Value::Kind::Structure);
    EXPECT_EQ(v->find("a")->kind(), Value::Kind::Structure);
    EXPECT_EQ(v->find("a")->find("b")->as_integer(), 1);
    EXPECT_EQ(v->find("missing"), nullptr);
}

TEST(JsonCodec, WhitespaceAndEscapesAreRead) {
    EXPECT_EQ(round_trip(" { \"a\" : [ 1 , 2 ] } \n"), R"({"a":[1,2]})");
    auto v = parse_json(R"("\u00e9\n\"\\\/\ud83d\ude00")").value;
    ASSERT_TRUE(v);
    EXPECT_EQ(v->as_string(), "\xc3\xa9\n\"\\/\xf0\x9f\x98\x80");
}

TEST(JsonCodec, WritesEscapesAndKeepsUtf8) {
    Value v(std::string("q\"b\\n\nr\rt\tb\bf\f\x01\x1f \xc3\xa9"));
    EXPECT_EQ(to_json(v), R"("q\"b\\n\nr\rt\tb\bf\f\u0001\u001f )"
                          "\xc3\xa9\"");
    EXPECT_EQ(round_trip(to_json(v)), to_json(v));
}

// Raw HTTP bytes (header values, paths) reach error messages: the text written must stay valid
// JSON, so each maximal ill-formed subpart becomes one U+FFFD, as browsers decode.
TEST(JsonCodec, WritesIllFormedUtf8AsReplacementCharacters) {
    const std::string fffd = "\xef\xbf\xbd";
    auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
    EXPECT_EQ(to_json(Value(std::string("a\xff") + "b")), quoted("a" + fffd + "b"));
    EXPECT_EQ(to_json(Value("\xc3")), quoted(fffd));                                   // truncated
    EXPECT_EQ(to_json(Value(std::string("\xe2\x82") + "x")), quoted(fffd + "x"));      // cut short
    EXPECT_EQ(to_json(Value("\xc0\xaf")), quoted(fffd + fffd));                        // overlong
    EXPECT_EQ(to_json(Value("\xed\xa0\x80")), quoted(fffd + fffd + fffd));             // surrogate
    EXPECT_EQ(to_json(Value("\xf4\x90\x80\x80")), quoted(fffd + fffd + fffd + fffd));  // > 10FFFF
    for (std::string ok : {"\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"})
        EXPECT_EQ(to_json(Value(ok)), quoted(ok));
    EXPECT_TRUE(parse_json(to_json(Value::structure({{"\xfe", "\xf0\x9f"}}))).value);
}

TEST(JsonCodec, MapsAndStructuresSerialiseAlike) {
    EXPECT_EQ(to_json(Value::string_map({{"b", "2"}, {"a", "1"}})), R"({"a":"1","b":"2"})");
    EXPECT_EQ(to_json(Value::structure({{"b", 2}, {"a", 1}})), R"({"b":2,"a":1})");
    EXPECT_EQ(to_json(Value::string_list({})), "[]");
    EXPECT_EQ(to_json(Value()), "null");
}

TEST(JsonCodec, RefusesMalformedText) {
    for (const char* bad :
         {"",          " ",   "{",     "}",   "[1,]", "{\"a\":}", "{\"a\" 1}",      "{a:1}",
          "'x'",       "{}x", "{} {}", "nul", "tru",  "[1 2]",    "\"unterminated", "{\"a\":1,}",
          "01",        "+1",  ".5",    "1.",  "NaN",  "Infinity", "\"\\x\"",        "\"tab\there\"",
          "/* c */ {}"})
        EXPECT_TRUE(refused(bad)) << bad;
}

TEST(JsonCodec, AcceptsExactIntegersOnly) {
    EXPECT_EQ(round_trip("1.0"), "1");
    EXPECT_EQ(round_trip("1e2"), "100");
    EXPECT_EQ(round_trip("-0"), "0");
    for (const char* bad : {"1.5", "0.1", "-2.25", "1e-1", "[1, 2.5]", "{\"maxResults\":10.5}"})
        EXPECT_TRUE(refused(bad)) << bad;
}

TEST(JsonCodec, RefusesNumbersOutOfRange) {
    EXPECT_EQ(round_trip("-9223372036854775808"), "-9223372036854775808");
    for (const char* bad : {"9223372036854775808", "18446744073709551615", "1e19", "-1e19", "1e400",
                            "-1e400", "123456789012345678901234567890"})
        EXPECT_TRUE(refused(bad)) << bad;
}

TEST(JsonCodec, RefusesInvalidUtf8) {
    for (std::string bad : {std::string("\"\xff\""), std::string("\"\xc3\""),  // truncated
                            std::string("\"\xc0\xaf\""),                       // overlong '/'
                            std::string("\"\xed\xa0\x80\""),                   // surrogate
                            std::string("{\"\xfe\":1}")})
        EXPECT_TRUE(refused(bad)) << bad;
    EXPECT_FALSE(refused("\"\xf0\x9f\x98\x80\""));
}

TEST(JsonCodec, RefusesNestingBeyondTheLimit) {
    std::string ok = std::string(32, '[') + std::string(32, ']');
    EXPECT_FALSE(refused(ok));
    std::string deep = std::string(34, '[') + std::string(34, ']');
    EXPECT_TRUE(refused(deep));
    std::string very_deep = std::string(100000, '[');  // must not exhaust the stack
    EXPECT_TRUE(refused(very_deep));
}

TEST(JsonCodec, EmbeddedNulIsKept) {
    auto v = parse_json(R"("a\u0000b")").value;
    ASSERT_TRUE(v);
    EXPECT_EQ(v->as_string(), std::string("a\0b", 3));
    EXPECT_EQ(to_json(*v), R"("a\u0000b")");
}

}  // namespace
}  // namespace parley::model
