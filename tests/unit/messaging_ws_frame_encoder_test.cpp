#include "messaging/ws_frame_encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::messaging {
namespace {

std::vector<std::uint8_t> head(const std::string& frame, std::size_t n) {
    return {frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n)};
}

// Turns a server frame into the equivalent client frame so the parser can read it back.
std::vector<std::uint8_t> masked(const std::string& frame) {
    const auto len7 = static_cast<std::uint8_t>(frame[1]) & 0x7F;
    const std::size_t hlen = len7 == 126 ? 4 : (len7 == 127 ? 10 : 2);
    std::vector<std::uint8_t> out(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(hlen));
    out[1] |= 0x80;
    const std::uint8_t key[4] = {0xde, 0xad, 0xbe, 0xef};
    out.insert(out.end(), key, key + 4);
    for (std::size_t i = hlen; i < frame.size(); ++i)
        out.push_back(
            static_cast<std::uint8_t>(static_cast<std::uint8_t>(frame[i]) ^ key[(i - hlen) % 4]));
    return out;
}

TEST(WsFrameEncoder, Length0) {
    const std::string f = encode_frame(Opcode::Text, "");
    EXPECT_EQ(head(f, f.size()), (std::vector<std::uint8_t>{0x81, 0x00}));
}

TEST(WsFrameEncoder, Length125) {
    const std::string payload(125, 'a');
    const std::string f = encode_frame(Opcode::Text, payload);
    ASSERT_EQ(f.size(), 2u + 125);
    EXPECT_EQ(head(f, 2), (std::vector<std::uint8_t>{0x81, 125}));
    EXPECT_EQ(f.substr(2), payload);
}

TEST(WsFrameEncoder, Length126Uses16BitLength) {
    const std::string payload(126, 'b');
    const std::string f = encode_frame(Opcode::Binary, payload);
    ASSERT_EQ(f.size(), 4u + 126);
    EXPECT_EQ(head(f, 4), (std::vector<std::uint8_t>{0x82, 126, 0x00, 126}));
    EXPECT_EQ(f.substr(4), payload);
}

TEST(WsFrameEncoder, Length65535Uses16BitLength) {
    const std::string payload(65535, 'c');
    const std::string f = encode_frame(Opcode::Text, payload);
    ASSERT_EQ(f.size(), 4u + 65535);
    EXPECT_EQ(head(f, 4), (std::vector<std::uint8_t>{0x81, 126, 0xff, 0xff}));
    EXPECT_EQ(f.substr(4), payload);
}

TEST(WsFrameEncoder, Length65536Uses64BitLength) {
    const std::string payload(65536, 'd');
    const std::string f = encode_frame(Opcode::Text, payload);
    ASSERT_EQ(f.size(), 10u + 65536);
    EXPECT_EQ(head(f, 10), (std::vector<std::uint8_t>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
    EXPECT_EQ(f.substr(10), payload);
}

TEST(WsFrameEncoder, HeaderSize) {
    EXPECT_EQ(frame_header_size(0), 2u);
    EXPECT_EQ(frame_header_size(125), 2u);
    EXPECT_EQ(frame_header_size(126), 4u);
    EXPECT_EQ(frame_header_size(65535), 4u);
    EXPECT_EQ(frame_header_size(65536), 10u);
}

TEST(WsFrameEncoder, FragmentsAndControlOpcodes) {
    EXPECT_EQ(head(encode_frame(Opcode::Text, "a", false), 2),
              (std::vector<std::uint8_t>{0x01, 0x01}));
    EXPECT_EQ(head(encode_frame(Opcode::Continuation, "a", true), 2),
              (std::vector<std::uint8_t>{0x80, 0x01}));
    EXPECT_EQ(head(encode_frame(Opcode::Ping, "hi"), 2), (std::vector<std::uint8_t>{0x89, 0x02}));
    EXPECT_EQ(head(encode_frame(Opcode::Pong, "hi"), 2), (std::vector<std::uint8_t>{0x8a, 0x02}));
}

TEST(WsFrameEncoder, ControlPayloadIsCutTo125AndNeverFragmented) {
    const std::string f = encode_frame(Opcode::Ping, std::string(300, 'p'), false);
    EXPECT_EQ(f.size(), 2u + 125);
    EXPECT_EQ(head(f, 2), (std::vector<std::uint8_t>{0x89, 125}));
}

TEST(WsFrameEncoder, EncodeClose) {
    const std::string f = encode_close(1000, "bye");
    EXPECT_EQ(f, std::string("\x88\x05\x03\xe8"
                             "bye"));
    EXPECT_EQ(encode_close(0, "ignored"), std::string("\x88\x00", 2));
}

TEST(WsFrameEncoder, CloseReasonIsTruncatedToFit125Bytes) {
    const std::string f = encode_close(1001, std::string(200, 'r'));
    ASSERT_EQ(f.size(), 2u + 125);
    EXPECT_EQ(static_cast<std::uint8_t>(f[1]), 125);
    EXPECT_EQ(f.substr(4), std::string(123, 'r'));
}

TEST(WsFrameEncoder, CloseReasonIsCutOnACharacterBoundary) {
    // 122 ASCII bytes then a 3-byte euro sign: only 1 byte of it would fit, so it is dropped.
    const std::string reason = std::string(122, 'r') + "\xE2\x82\xAC";
    const std::string f = encode_close(1000, reason);
    EXPECT_EQ(f.substr(4), std::string(122, 'r'));
    const std::string exact = std::string(120, 'r') + "\xE2\x82\xAC";  // 123 bytes: fits
    EXPECT_EQ(encode_close(1000, exact).substr(4), exact);
}

TEST(WsFrameEncoder, RoundTripsThroughTheParserOnceMasked) {
    for (std::size_t len : {0u, 1u, 125u, 126u, 65535u, 65536u}) {
        std::string payload(len, 'z');
        const std::string f = encode_frame(Opcode::Binary, payload);
        WsFrameParser p(1 << 20);
        std::vector<WsEvent> out;
        ASSERT_EQ(p.feed(masked(f), out), WsProtocolError::None) << len;
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(out[0].payload, payload);
    }
    WsFrameParser p;
    std::vector<WsEvent> out;
    ASSERT_EQ(p.feed(masked(encode_close(4000, "kicked")), out), WsProtocolError::None);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].close_code, 4000);
    EXPECT_EQ(out[0].payload, "kicked");
}

}  // namespace
}  // namespace parley::messaging
