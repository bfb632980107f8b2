#include "server/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <string>

using parley::server::JsonLogFormatter;

namespace {

std::string formatted(std::string_view logger, std::string_view text) {
    spdlog::details::log_msg msg(spdlog::string_view_t(logger.data(), logger.size()),
                                 spdlog::level::info,
                                 spdlog::string_view_t(text.data(), text.size()));
    spdlog::memory_buf_t buf;
    JsonLogFormatter().format(msg, buf);
    return std::string(buf.data(), buf.size());
}
}  // namespace

// The message is escaped with the model's JSON string writer (model/json_codec).
TEST(JsonLogFormatter, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_NE(formatted("", "a\"b\\c\nd\te\x01").find(R"("msg":"a\"b\\c\nd\te\u0001")"),
              std::string::npos);
}

TEST(JsonLogFormatter, KeepsUtf8AndReplacesInvalidBytes) {
    EXPECT_NE(formatted("", "caf\xc3\xa9").find("\"msg\":\"caf\xc3\xa9\""), std::string::npos);
    auto bad = formatted("", "bad\xff\xc3|\xed\xa0\x80");  // stray bytes, a UTF-16 surrogate
    EXPECT_NE(bad.find("\"msg\":\"bad\xEF\xBF\xBD"), std::string::npos) << bad;
    EXPECT_EQ(bad.find('\xff'), std::string::npos) << bad;
    EXPECT_EQ(bad.find("\xed\xa0"), std::string::npos) << bad;
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
