#include "messaging/ws_handshake.hpp"

#include <gtest/gtest.h>

namespace parley::messaging {
namespace {

TEST(WsHandshake, AcceptKeyForRfc6455SampleKey) {
    EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, AcceptKeyIsAlways28Base64Characters) {
    EXPECT_EQ(websocket_accept_key("").size(), 28u);
    EXPECT_EQ(websocket_accept_key("x3JJHMbDL1EzLkh9GBhXDw==").size(), 28u);
    EXPECT_EQ(websocket_accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST(WsHandshake, WebSocketKeyShape) {
    EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_TRUE(is_valid_websocket_key("x3JJHMbDL1EzLkh9GBhXDw=="));
    EXPECT_TRUE(is_valid_websocket_key("ab+/ab+/ab+/ab+/ab+/aQ=="));
    EXPECT_FALSE(is_valid_websocket_key(""));
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 chars
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25 chars
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQAA"));   // no padding
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZ-=="));   // base64url char
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25j ZQ="));
}

TEST(WsHandshake, SubprotocolTokens) {
    EXPECT_TRUE(is_valid_subprotocol_token("chat"));
    EXPECT_TRUE(is_valid_subprotocol_token("AQICAHgm5DC1V25pBVEhXdu--abc_XYZ"));
    EXPECT_TRUE(is_valid_subprotocol_token("!#$%&'*+-.^_`|~09azAZ"));
    EXPECT_TRUE(is_valid_subprotocol_token("ACEGmnoq#1rstu2...BDFH3vxwy!4hlm!#5"));
    EXPECT_FALSE(is_valid_subprotocol_token(""));
    for (const char* bad : {"a b", "a,b", "a/b", "a=b", "a;b", "a\"b", "(a)", "a:b", "a@b", "[a]",
                            "a?b", "{a}", "a\\b", "a\tb", "a<b>", "\x7f", "caf\xc3\xa9"})
        EXPECT_FALSE(is_valid_subprotocol_token(bad)) << bad;
    EXPECT_FALSE(is_valid_subprotocol_token(std::string_view("a\0b", 3)));
}

TEST(WsHandshake, OfferedSubprotocols) {
    using V = std::vector<std::string_view>;
    EXPECT_EQ(offered_subprotocols("token"), (V{"token"}));
    EXPECT_EQ(offered_subprotocols(" a ,b,\tc\t"), (V{"a", "b", "c"}));
    EXPECT_EQ(offered_subprotocols("a,,b, ,"), (V{"a", "b"}));
    EXPECT_EQ(offered_subprotocols(""), V{});
    EXPECT_EQ(offered_subprotocols(" , "), V{});
}

TEST(WsHandshake, HeaderListsToken) {
    EXPECT_TRUE(header_lists_token("Upgrade", "upgrade"));
    EXPECT_TRUE(header_lists_token("keep-alive, Upgrade", "upgrade"));
    EXPECT_TRUE(header_lists_token(" keep-alive ,\tUPGRADE\t", "upgrade"));
    EXPECT_FALSE(header_lists_token("keep-alive", "upgrade"));
    EXPECT_FALSE(header_lists_token("upgrade-insecure", "upgrade"));
    EXPECT_FALSE(header_lists_token("", "upgrade"));
}

TEST(WsHandshake, FirstSubprotocol) {
    EXPECT_EQ(first_subprotocol("token"), "token");
    EXPECT_EQ(first_subprotocol(" a ,b,\tc\t"), "a");
    EXPECT_EQ(first_subprotocol(",, ,b, c"), "b");
    EXPECT_EQ(first_subprotocol(""), "");
    EXPECT_EQ(first_subprotocol(" , "), "");
}

}  // namespace
}  // namespace parley::messaging
