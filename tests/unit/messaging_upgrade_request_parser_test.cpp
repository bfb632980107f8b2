// The upgrade's parser keeps the method, the target and the first value of the five fields an
// upgrade reads; parsing itself is Beast's.
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "messaging/upgrade_request_parser.hpp"

namespace parley::messaging {
namespace {

namespace http = boost::beast::http;
using Field = UpgradeRequestParser::Field;

boost::system::error_code parse(UpgradeRequestParser& p, const std::string& text) {
    boost::system::error_code ec;
    p.put(boost::asio::buffer(text), ec);
    return ec;
}

TEST(UpgradeRequestParser, KeepsTheFirstValueOfEachFieldAnUpgradeReads) {
    const std::string token(300, 'T');
    UpgradeRequestParser p;
    EXPECT_FALSE(parse(p,
                       "GET /?history=5&presence=1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                       "connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Other: 1\r\n"
                       "Sec-WebSocket-Protocol: " +
                           token + "\r\nSec-WebSocket-Protocol: second\r\nUpgrade: h2c\r\n\r\n"));
    EXPECT_TRUE(p.is_header_done());
    EXPECT_TRUE(p.is_done());
    EXPECT_EQ(p.method(), http::verb::get);
    EXPECT_EQ(p.target(), "/?history=5&presence=1");
    EXPECT_EQ(p[Field::Upgrade], "websocket");
    EXPECT_EQ(p[Field::Connection], "keep-alive, Upgrade");
    EXPECT_EQ(p[Field::Version], "13");
    EXPECT_EQ(p[Field::Key], "dGhlIHNhbXBsZSBub25jZQ==");
    EXPECT_EQ(p[Field::Protocol], token);
}

TEST(UpgradeRequestParser, AbsentFieldsAreEmptyAndOtherMethodsAreKept) {
    UpgradeRequestParser p;
    EXPECT_FALSE(parse(p, "POST /chat HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(p.method(), http::verb::post);
    EXPECT_EQ(p.target(), "/chat");
    for (int f = 0; f < UpgradeRequestParser::kFields; ++f) EXPECT_EQ(p[static_cast<Field>(f)], "");
}

TEST(UpgradeRequestParser, FedInPiecesAsTheyArrive) {
    const std::string text =
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: abc.def\r\n\r\n";
    UpgradeRequestParser p;
    std::string pending;
    boost::system::error_code ec = http::error::need_more;
    for (char c : text) {
        pending += c;
        ec = {};
        const std::size_t used = p.put(boost::asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec != http::error::need_more) break;
    }
    EXPECT_FALSE(ec);
    EXPECT_EQ(p[Field::Upgrade], "websocket");
    EXPECT_EQ(p[Field::Protocol], "abc.def");
}

TEST(UpgradeRequestParser, ABodyLeavesTheMessageUnfinished) {
    UpgradeRequestParser p;
    EXPECT_FALSE(parse(p, "GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\n"));
    EXPECT_TRUE(p.is_header_done());
    EXPECT_FALSE(p.is_done());  // the handshake refuses it: "An upgrade request has no body"
}

TEST(UpgradeRequestParser, MalformedAndOversizedHeadersAreErrors) {
    UpgradeRequestParser bad;
    EXPECT_TRUE(parse(bad, "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"));
    UpgradeRequestParser big;
    big.header_limit(64);
    EXPECT_EQ(parse(big, "GET / HTTP/1.1\r\nSec-WebSocket-Protocol: " + std::string(100, 'x') +
                             "\r\n\r\n"),
              http::error::header_limit);
}

}  // namespace
}  // namespace parley::messaging
