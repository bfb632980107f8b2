#include "server/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <string>

using parley::server::append_json_string;
using parley::server::JsonLogFormatter;

namespace {
std::string escaped(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string formatted(std::string_view logger, std::string_view text) {
    spdlog::details::log_msg msg(spdlog::string_view_t(logger.data(), logger.size()),
                                 spdlog::level::info,
                                 spdlog::string_view_t(text.data(), text.size()));
    spdlog::memory_buf_t buf;
    JsonLogFormatter().format(msg, buf);
    return std::string(buf.data(), buf.size());
}
}  // namespace

TEST(JsonLogFormatter, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(escaped("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
}

TEST(JsonLogFormatter, KeepsUtf8AndReplacesInvalidBytes) {
    EXPECT_EQ(escaped("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(escaped("bad\xff\xc3"), R"("bad\ufffd\ufffd")");
    EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate
}

TEST(JsonLogFormatter, OneObjectPerLine) {
    auto line = formatted("", "room \"x\" created\nsecond line");
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_NE(line.find(R"("level":"info")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("logger":"parleyd")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("msg":"room \"x\" created\nsecond line")"), std::string::npos) << line;
    EXPECT_EQ(line.rfind("{\"time\":\"", 0), 0u) << line;
}

TEST(JsonLogFormatter, AccessLinesGetTheirFields) {
    auto line = formatted("access",
                          "api op=CreateRoom status=200 latency_ms=0.42 request_id=abc-1 "
                          "peer=127.0.0.1:5555");
    EXPECT_NE(line.find(R"("op":"CreateRoom")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("status":200)"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("latency_ms":0.42)"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("request_id":"abc-1")"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("peer":"127.0.0.1:5555")"), std::string::npos) << line;
}
