#include "messaging/ws_frame_parser.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

namespace parley::messaging {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::array<std::uint8_t, 4> kMask{0x37, 0xfa, 0x21, 0x3d};  // RFC 6455 §5.7's key

// A masked client frame with the minimal length encoding.
Bytes client_frame(std::uint8_t first_byte, std::string_view payload,
                   std::array<std::uint8_t, 4> mask = kMask) {
    Bytes f{first_byte};
    const std::size_t len = payload.size();
    if (len <= 125) {
        f.push_back(static_cast<std::uint8_t>(0x80 | len));
    } else if (len <= 0xFFFF) {
        f.push_back(0x80 | 126);
        f.push_back(static_cast<std::uint8_t>(len >> 8));
        f.push_back(static_cast<std::uint8_t>(len));
    } else {
        f.push_back(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            f.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(len) >> shift));
    }
    f.insert(f.end(), mask.begin(), mask.end());
    for (std::size_t i = 0; i < len; ++i)
        f.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(payload[i]) ^ mask[i % 4]));
    return f;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct Result {
    std::vector<WsEvent> events;
    WsProtocolError error = WsProtocolError::None;
};

Result parse_all(const Bytes& bytes, std::size_t cap = 64 * 1024) {
    WsFrameParser p(cap);
    Result r;
    r.error = p.feed(bytes, r.events);
    return r;
}

// Feeds in pieces of `chunk` bytes (1 = byte by byte).
Result parse_chunked(const Bytes& bytes, std::size_t chunk, std::size_t cap = 64 * 1024) {
    WsFrameParser p(cap);
    Result r;
    for (std::size_t i = 0; i < bytes.size(); i += chunk) {
        const std::size_t n = std::min(chunk, bytes.size() - i);
        r.error = p.feed(std::span(bytes).subspan(i, n), r.events);
        if (r.error != WsProtocolError::None) break;
    }
    return r;
}

void expect_same(const Result& a, const Result& b) {
    EXPECT_EQ(a.error, b.error);
    ASSERT_EQ(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        EXPECT_EQ(a.events[i].kind, b.events[i].kind) << i;
        EXPECT_EQ(a.events[i].payload, b.events[i].payload) << i;
        EXPECT_EQ(a.events[i].close_code, b.events[i].close_code) << i;
    }
}

WsProtocolError error_of(const Bytes& bytes, std::size_t cap = 64 * 1024) {
    return parse_all(bytes, cap).error;
}

TEST(WsFrameParser, Rfc6455SingleFrameMaskedHello) {
    const Bytes wire{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    EXPECT_EQ(client_frame(0x81, "Hello"), wire);
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Text);
    EXPECT_EQ(r.events[0].payload, "Hello");
}

TEST(WsFrameParser, Rfc6455FragmentedHelloMasked) {
    // §5.7's unmasked "0x01 0x03 Hel" + "0x80 0x02 lo", with the mask bit set.
    const Bytes wire = concat({client_frame(0x01, "Hel"), client_frame(0x80, "lo", {1, 2, 3, 4})});
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Text);
    EXPECT_EQ(r.events[0].payload, "Hello");
}

TEST(WsFrameParser, PingAndPong) {
    const Result r = parse_all(concat({client_frame(0x89, "Hello"), client_frame(0x8a, "Hello")}));
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Ping);
    EXPECT_EQ(r.events[0].payload, "Hello");
    EXPECT_EQ(r.events[1].kind, WsEvent::Pong);
    EXPECT_EQ(r.events[1].payload, "Hello");
}

TEST(WsFrameParser, EmptyFrames) {
    const Result r = parse_all(concat({client_frame(0x81, ""), client_frame(0x89, ""),
                                       client_frame(0x02, ""), client_frame(0x80, "")}));
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 3u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Text);
    EXPECT_EQ(r.events[0].payload, "");
    EXPECT_EQ(r.events[1].kind, WsEvent::Ping);
    EXPECT_EQ(r.events[2].kind, WsEvent::Binary);
    EXPECT_EQ(r.events[2].payload, "");
}

TEST(WsFrameParser, Binary256BytesUses16BitLength) {
    std::string payload(256, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i);
    const Bytes wire = client_frame(0x82, payload);
    ASSERT_EQ(wire[1], 0x80 | 126);
    EXPECT_EQ(wire[2], 0x01);
    EXPECT_EQ(wire[3], 0x00);
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Binary);
    EXPECT_EQ(r.events[0].payload, payload);
}

TEST(WsFrameParser, Binary64KiBUses64BitLengthAndFitsTheDefaultCap) {
    std::string payload(64 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
    const Bytes wire = client_frame(0x82, payload);
    ASSERT_EQ(wire[1], 0x80 | 127);
    EXPECT_EQ(Bytes(wire.begin() + 2, wire.begin() + 10), (Bytes{0, 0, 0, 0, 0, 1, 0, 0}));
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].payload, payload);
    expect_same(r, parse_chunked(wire, 1000));
}

TEST(WsFrameParser, NonMinimalLengthEncodingIsAccepted) {
    // 5 bytes declared with the 16-bit form: RFC senders must not, but receivers need not care.
    Bytes wire{0x81, 0x80 | 126, 0x00, 0x05, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].payload, "Hello");
}

Bytes mixed_stream() {
    std::string big(70000 / 2, 'x');
    return concat({
        client_frame(0x81, "Hello"),
        client_frame(0x01, "frag-", {9, 8, 7, 6}),
        client_frame(0x89, "ping in between", {0xff, 0, 0xff, 0}),
        client_frame(0x00, "ment", {1, 1, 1, 1}),
        client_frame(0x8a, ""),
        client_frame(0x80, "ed \xE2\x82\xAC", {0xaa, 0xbb, 0xcc, 0xdd}),
        client_frame(0x82, std::string(300, '\x80')),
        client_frame(0x81, big),
        client_frame(0x88,
                     "\x03\xe8"
                     "bye"),
    });
}

TEST(WsFrameParser, ByteByByteEqualsAllAtOnce) {
    const Bytes wire = mixed_stream();
    const Result whole = parse_all(wire);
    EXPECT_EQ(whole.error, WsProtocolError::None);
    ASSERT_EQ(whole.events.size(), 7u);
    EXPECT_EQ(whole.events[1].kind, WsEvent::Ping);
    EXPECT_EQ(whole.events[2].kind, WsEvent::Pong);
    EXPECT_EQ(whole.events[3].payload, "frag-mented \xE2\x82\xAC");
    EXPECT_EQ(whole.events[4].kind, WsEvent::Binary);
    EXPECT_EQ(whole.events[5].payload.size(), 35000u);
    EXPECT_EQ(whole.events[6].kind, WsEvent::Close);
    EXPECT_EQ(whole.events[6].close_code, 1000);
    for (std::size_t chunk : {1, 2, 3, 5, 13, 125, 4096}) {
        SCOPED_TRACE(chunk);
        expect_same(whole, parse_chunked(wire, chunk));
    }
}

TEST(WsFrameParser, RandomSplitsEqualAllAtOnce) {
    const Bytes wire = mixed_stream();
    const Result whole = parse_all(wire);
    std::mt19937 rng(1234);
    for (int round = 0; round < 50; ++round) {
        WsFrameParser p;
        Result r;
        std::size_t i = 0;
        while (i < wire.size()) {
            const std::size_t n = std::min<std::size_t>(rng() % 40, wire.size() - i);
            r.error = p.feed(std::span(wire).subspan(i, n), r.events);  // n may be 0
            i += n;
        }
        expect_same(whole, r);
    }
}

TEST(WsFrameParser, PingInterleavedInsideFragmentedMessage) {
    const Bytes wire = concat({client_frame(0x01, "Hel"), client_frame(0x89, "are you there?"),
                               client_frame(0x80, "lo")});
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Ping);
    EXPECT_EQ(r.events[0].payload, "are you there?");
    EXPECT_EQ(r.events[1].kind, WsEvent::Text);
    EXPECT_EQ(r.events[1].payload, "Hello");
    expect_same(r, parse_chunked(wire, 1));
}

TEST(WsFrameParser, UnmaskedClientFrame) {
    EXPECT_EQ(error_of({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}),
              WsProtocolError::UnmaskedClientFrame);
}

TEST(WsFrameParser, ReservedBits) {
    for (std::uint8_t rsv : {0x40, 0x20, 0x10})
        EXPECT_EQ(error_of(client_frame(static_cast<std::uint8_t>(0x81 | rsv), "x")),
                  WsProtocolError::ReservedBits);
}

TEST(WsFrameParser, UnknownOpcodes) {
    for (std::uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
        EXPECT_EQ(error_of(client_frame(static_cast<std::uint8_t>(0x80 | op), "")),
                  WsProtocolError::UnknownOpcode)
            << int(op);
}

TEST(WsFrameParser, ControlFrameTooLongIsRefusedFromHeader) {
    // 126 declared: only the first two bytes are needed to refuse it.
    WsFrameParser p;
    std::vector<WsEvent> out;
    const Bytes head{0x89, 0x80 | 126};
    EXPECT_EQ(p.feed(head, out), WsProtocolError::ControlFrameTooLong);
    EXPECT_EQ(error_of(client_frame(0x88, std::string(126, 'a'))),
              WsProtocolError::ControlFrameTooLong);
    EXPECT_EQ(error_of(client_frame(0x89, std::string(125, 'a'))), WsProtocolError::None);
}

TEST(WsFrameParser, FragmentedControlFrame) {
    EXPECT_EQ(error_of(client_frame(0x09, "x")), WsProtocolError::FragmentedControlFrame);
    EXPECT_EQ(error_of(client_frame(0x08, "")), WsProtocolError::FragmentedControlFrame);
}

TEST(WsFrameParser, UnexpectedContinuation) {
    EXPECT_EQ(error_of(client_frame(0x80, "x")), WsProtocolError::UnexpectedContinuation);
    EXPECT_EQ(error_of(concat({client_frame(0x81, "a"), client_frame(0x80, "b")})),
              WsProtocolError::UnexpectedContinuation);
}

TEST(WsFrameParser, ExpectedContinuation) {
    EXPECT_EQ(error_of(concat({client_frame(0x01, "a"), client_frame(0x81, "b")})),
              WsProtocolError::ExpectedContinuation);
    EXPECT_EQ(error_of(concat({client_frame(0x02, "a"), client_frame(0x02, "b")})),
              WsProtocolError::ExpectedContinuation);
}

TEST(WsFrameParser, SizeCapRefusesOnTheHeaderOfA1MiBFrame) {
    // Header only: FIN+binary, 64-bit length 1 MiB, mask key. No payload follows.
    const Bytes header{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4};
    WsFrameParser p;
    std::vector<WsEvent> out;
    EXPECT_EQ(p.feed(header, out), WsProtocolError::MessageTooBig);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(close_code_for(WsProtocolError::MessageTooBig), 1009);
}

TEST(WsFrameParser, HugeDeclaredLengthsAreTooBig) {
    const Bytes header{0x81, 0x80 | 127, 0xff, 0xff, 0xff, 0xff, 0xff,
                       0xff, 0xff,       0xff, 1,    2,    3,    4};
    EXPECT_EQ(error_of(header), WsProtocolError::MessageTooBig);
}

TEST(WsFrameParser, SizeCapBoundary) {
    EXPECT_EQ(error_of(client_frame(0x82, std::string(100, 'a')), 100), WsProtocolError::None);
    EXPECT_EQ(error_of(client_frame(0x82, std::string(101, 'a')), 100),
              WsProtocolError::MessageTooBig);
}

TEST(WsFrameParser, SizeCapCountsTheWholeFragmentedMessage) {
    const Bytes ok = concat({client_frame(0x01, "12345"), client_frame(0x80, "67890")});
    EXPECT_EQ(error_of(ok, 10), WsProtocolError::None);
    const Bytes big =
        concat({client_frame(0x01, "12345"), client_frame(0x00, "67890"), client_frame(0x80, "x")});
    EXPECT_EQ(error_of(big, 10), WsProtocolError::MessageTooBig);
}

TEST(WsFrameParser, ControlFramesDoNotCountTowardTheCap) {
    const Bytes wire =
        concat({client_frame(0x01, "12345"), client_frame(0x89, std::string(100, 'p')),
                client_frame(0x80, "67890")});
    EXPECT_EQ(error_of(wire, 10), WsProtocolError::None);
}

TEST(WsFrameParser, InvalidUtf8InTextMessage) {
    EXPECT_EQ(error_of(client_frame(0x81, "ab\xff")), WsProtocolError::InvalidUtf8);
    EXPECT_EQ(error_of(client_frame(0x81, "\xED\xA0\x80")), WsProtocolError::InvalidUtf8);
    // Truncated sequence at the end of the message.
    EXPECT_EQ(error_of(client_frame(0x81, "\xE2\x82")), WsProtocolError::InvalidUtf8);
    EXPECT_EQ(close_code_for(WsProtocolError::InvalidUtf8), 1007);
}

TEST(WsFrameParser, BinaryIsNotCheckedForUtf8) {
    EXPECT_EQ(error_of(client_frame(0x82, "\xff\xfe")), WsProtocolError::None);
}

TEST(WsFrameParser, CodePointSplitAcrossFragmentsIsValid) {
    const Bytes wire = concat(
        {client_frame(0x01, "\xE2"), client_frame(0x00, "\x82"), client_frame(0x80, "\xAC")});
    const Result r = parse_all(wire);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].payload, "\xE2\x82\xAC");
}

TEST(WsFrameParser, InvalidUtf8FailsFastBeforeTheLastFragment) {
    WsFrameParser p;
    std::vector<WsEvent> out;
    EXPECT_EQ(p.feed(client_frame(0x01, "ok\xC0\xAF"), out), WsProtocolError::InvalidUtf8);
}

TEST(WsFrameParser, ClosePayloadCodeAndReason) {
    const Result r = parse_all(client_frame(0x88, std::string("\x03\xe9", 2) + "going away"));
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Close);
    EXPECT_EQ(r.events[0].close_code, 1001);
    EXPECT_EQ(r.events[0].payload, "going away");
}

TEST(WsFrameParser, CloseWithoutPayloadHasCodeZero) {
    const Result r = parse_all(client_frame(0x88, ""));
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].close_code, 0);
    EXPECT_EQ(r.events[0].payload, "");
}

TEST(WsFrameParser, CloseWithOneBytePayloadIsAnError) {
    EXPECT_EQ(error_of(client_frame(0x88, "\x03")), WsProtocolError::BadClosePayload);
    EXPECT_EQ(close_code_for(WsProtocolError::BadClosePayload), 1002);
}

TEST(WsFrameParser, CloseCodesThatMayNotBeReceived) {
    for (std::uint16_t code :
         {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        const std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        EXPECT_EQ(error_of(client_frame(0x88, payload)), WsProtocolError::BadClosePayload) << code;
    }
    for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
                               1014, 3000, 3999, 4000, 4999}) {
        const std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        const Result r = parse_all(client_frame(0x88, payload));
        EXPECT_EQ(r.error, WsProtocolError::None) << code;
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0].close_code, code);
    }
}

TEST(WsFrameParser, CloseReasonMustBeUtf8) {
    EXPECT_EQ(error_of(client_frame(0x88, std::string("\x03\xe8", 2) + "\xff")),
              WsProtocolError::InvalidUtf8);
}

TEST(WsFrameParser, CloseInsideFragmentedMessageEndsParsing) {
    const Result r = parse_all(concat(
        {client_frame(0x01, "Hel"), client_frame(0x88, "\x03\xe8"), client_frame(0x80, "lo")}));
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, WsEvent::Close);
}

TEST(WsFrameParser, NothingIsParsedAfterClose) {
    WsFrameParser p;
    std::vector<WsEvent> out;
    EXPECT_EQ(p.feed(concat({client_frame(0x88, ""), client_frame(0x81, "late")}), out),
              WsProtocolError::None);
    EXPECT_TRUE(p.finished());
    EXPECT_EQ(p.feed(client_frame(0x81, "later"), out), WsProtocolError::None);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, WsEvent::Close);
}

TEST(WsFrameParser, ErrorIsSticky) {
    WsFrameParser p;
    std::vector<WsEvent> out;
    EXPECT_EQ(p.feed(concat({client_frame(0x81, "first"), Bytes{0x81, 0x01, 'x'}}), out),
              WsProtocolError::UnmaskedClientFrame);
    ASSERT_EQ(out.size(), 1u);  // the message before the error is still delivered
    EXPECT_EQ(p.feed(client_frame(0x81, "after"), out), WsProtocolError::UnmaskedClientFrame);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_TRUE(p.finished());
    EXPECT_EQ(p.error(), WsProtocolError::UnmaskedClientFrame);
}

TEST(WsFrameParser, CloseCodeMapping) {
    EXPECT_EQ(close_code_for(WsProtocolError::None), 1000);
    for (WsProtocolError e :
         {WsProtocolError::UnmaskedClientFrame, WsProtocolError::ReservedBits,
          WsProtocolError::UnknownOpcode, WsProtocolError::ControlFrameTooLong,
          WsProtocolError::FragmentedControlFrame, WsProtocolError::UnexpectedContinuation,
          WsProtocolError::ExpectedContinuation})
        EXPECT_EQ(close_code_for(e), 1002) << to_string(e);
}

TEST(WsFrameParser, IdleParserIsSmall) {
    // Per-connection memory: no fixed payload buffers inside the parser, and no control-frame
    // string or message buffer until a frame carries payload (136 bytes before that, issue 10).
    EXPECT_LE(sizeof(WsFrameParser), 72u);
}

TEST(WsFrameParser, ControlPayloadSplitAcrossFeedsThenAnother) {
    // A control frame's payload arriving in pieces, then a second one: nothing carried over.
    const Bytes wire = concat({client_frame(0x89, "first ping payload, longer than SSO"),
                               client_frame(0x8A, ""), client_frame(0x89, "x")});
    const Result r = parse_chunked(wire, 3);
    EXPECT_EQ(r.error, WsProtocolError::None);
    ASSERT_EQ(r.events.size(), 3u);
    EXPECT_EQ(r.events[0].payload, "first ping payload, longer than SSO");
    EXPECT_EQ(r.events[1].kind, WsEvent::Pong);
    EXPECT_EQ(r.events[1].payload, "");
    EXPECT_EQ(r.events[2].payload, "x");
}

}  // namespace
}  // namespace parley::messaging
