#include "messaging/ws_frame_parser.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace parley::messaging {

namespace {
bool is_control(Opcode op) {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

bool is_known_opcode(std::uint8_t op) {
    return op <= 2 || (op >= 8 && op <= 10);
}

// Codes a peer may put on the wire (RFC 6455 §7.4 plus the IANA-registered 1012-1014);
// 1004-1006 and 1015 are reserved for local use and must never be received.
bool is_receivable_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

// XORs eight bytes at a time; `offset` is how far into the frame payload `data` starts.
void unmask(char* data, std::size_t n, const std::array<std::uint8_t, 4>& key,
            std::uint64_t offset) {
    std::array<std::uint8_t, 4> k{};
    for (std::size_t i = 0; i < 4; ++i) k[i] = key[(i + offset) & 3];
    std::uint32_t k32;
    std::memcpy(&k32, k.data(), sizeof k32);
    const std::uint64_t k64 = (static_cast<std::uint64_t>(k32) << 32) | k32;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, sizeof w);
        w ^= k64;
        std::memcpy(data + i, &w, sizeof w);
    }
    for (; i < n; ++i) data[i] = static_cast<char>(data[i] ^ k[i & 3]);
}
}  // namespace

std::uint16_t close_code_for(WsProtocolError err) {
    switch (err) {
        case WsProtocolError::None:
            return 1000;
        case WsProtocolError::MessageTooBig:
            return 1009;
        case WsProtocolError::InvalidUtf8:
            return 1007;
        default:
            return 1002;
    }
}

const char* to_string(WsProtocolError err) {
    switch (err) {
        case WsProtocolError::None:
            return "none";
        case WsProtocolError::UnmaskedClientFrame:
            return "unmasked client frame";
        case WsProtocolError::ReservedBits:
            return "reserved bits set";
        case WsProtocolError::UnknownOpcode:
            return "unknown opcode";
        case WsProtocolError::ControlFrameTooLong:
            return "control frame longer than 125 bytes";
        case WsProtocolError::FragmentedControlFrame:
            return "fragmented control frame";
        case WsProtocolError::UnexpectedContinuation:
            return "continuation frame without a message in progress";
        case WsProtocolError::ExpectedContinuation:
            return "new data frame while a fragmented message is in progress";
        case WsProtocolError::MessageTooBig:
            return "message too big";
        case WsProtocolError::InvalidUtf8:
            return "invalid UTF-8";
        case WsProtocolError::BadClosePayload:
            return "bad close payload";
    }
    return "unknown";
}

WsFrameParser::WsFrameParser(std::size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

WsProtocolError WsFrameParser::feed(std::span<const std::uint8_t> bytes,
                                    std::vector<WsEvent>& out) {
    const std::uint8_t* p = bytes.data();
    std::size_t n = bytes.size();
    while (!finished()) {
        if (!in_payload_) {
            if (n == 0) break;
            const std::size_t used = read_header(p, n);
            p += used;
            n -= used;
            if (error_ != WsProtocolError::None || !in_payload_) break;
        }
        if (frame_received_ < frame_length_) {
            if (n == 0) break;
            const std::size_t used = read_payload(p, n);
            p += used;
            n -= used;
            if (error_ != WsProtocolError::None || frame_received_ < frame_length_) break;
        }
        error_ = finish_frame(out);
    }
    return error_;
}

std::size_t WsFrameParser::read_header(const std::uint8_t* in, std::size_t n) {
    std::size_t used = 0;
    while (used < n && header_have_ < header_need_) {
        const std::size_t take = std::min<std::size_t>(header_need_ - header_have_, n - used);
        std::memcpy(header_.data() + header_have_, in + used, take);
        header_have_ = static_cast<std::uint8_t>(header_have_ + take);
        used += take;
        if (header_need_ == 2 && header_have_ == 2) {
            // Judge the frame from its first two bytes, before waiting for the rest.
            error_ = check_first_two_bytes();
            if (error_ != WsProtocolError::None) return used;
        }
    }
    if (header_need_ > 2 && header_have_ == header_need_) {
        error_ = start_frame();
        in_payload_ = error_ == WsProtocolError::None;
    }
    return used;
}

WsProtocolError WsFrameParser::check_first_two_bytes() {
    const std::uint8_t b0 = header_[0];
    const std::uint8_t b1 = header_[1];
    if (b0 & 0x70) return WsProtocolError::ReservedBits;  // no extension is ever negotiated
    const std::uint8_t op = b0 & 0x0F;
    if (!is_known_opcode(op)) return WsProtocolError::UnknownOpcode;
    opcode_ = static_cast<Opcode>(op);
    fin_ = (b0 & 0x80) != 0;
    if (!(b1 & 0x80)) return WsProtocolError::UnmaskedClientFrame;
    const std::uint8_t len7 = b1 & 0x7F;
    if (is_control(opcode_)) {
        if (!fin_) return WsProtocolError::FragmentedControlFrame;
        if (len7 > 125) return WsProtocolError::ControlFrameTooLong;
    } else if (opcode_ == Opcode::Continuation) {
        if (message_opcode_ == Opcode::Continuation) return WsProtocolError::UnexpectedContinuation;
    } else if (message_opcode_ != Opcode::Continuation) {
        return WsProtocolError::ExpectedContinuation;
    }
    const std::uint8_t extended = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
    header_need_ = static_cast<std::uint8_t>(2 + extended + 4);
    return WsProtocolError::None;
}

WsProtocolError WsFrameParser::start_frame() {
    const std::uint8_t len7 = header_[1] & 0x7F;
    std::size_t pos = 2;
    std::uint64_t length = len7;
    if (len7 >= 126) {
        const std::size_t width = len7 == 126 ? 2 : 8;
        length = 0;
        for (std::size_t i = 0; i < width; ++i) length = (length << 8) | header_[pos + i];
        pos += width;
    }
    std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(pos), 4, mask_.begin());
    frame_length_ = length;
    frame_received_ = 0;
    if (is_control(opcode_)) {
        control_.reset();
        return WsProtocolError::None;
    }
    // The message so far never exceeds the cap, so the subtraction cannot wrap.
    const std::size_t have = message_ ? message_->size() : 0;
    if (length > max_message_bytes_ - have) return WsProtocolError::MessageTooBig;
    if (opcode_ != Opcode::Continuation) message_opcode_ = opcode_;
    return WsProtocolError::None;
}

std::size_t WsFrameParser::read_payload(const std::uint8_t* in, std::size_t n) {
    const std::uint64_t remaining = frame_length_ - frame_received_;
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, n));
    const bool control = is_control(opcode_);
    auto& buffer = control ? control_ : message_;
    if (!buffer) buffer = std::make_unique<std::string>();
    std::string& dst = *buffer;
    // One allocation for the usual single-frame message; later fragments grow geometrically.
    // Memory is committed only once payload actually arrives, and never beyond the cap.
    if (!control && dst.empty()) dst.reserve(static_cast<std::size_t>(remaining));
    const std::size_t at = dst.size();
    dst.append(reinterpret_cast<const char*>(in), take);
    unmask(dst.data() + at, take, mask_, frame_received_);
    frame_received_ += take;
    if (!control && message_opcode_ == Opcode::Text &&
        !message_utf8_.feed(std::string_view(dst.data() + at, take)))
        error_ = WsProtocolError::InvalidUtf8;  // fail fast, even mid-fragment
    return take;
}

WsProtocolError WsFrameParser::finish_frame(std::vector<WsEvent>& out) {
    in_payload_ = false;
    header_have_ = 0;
    header_need_ = 2;
    switch (opcode_) {
        case Opcode::Ping:
        case Opcode::Pong:
            out.push_back(WsEvent{opcode_ == Opcode::Ping ? WsEvent::Ping : WsEvent::Pong,
                                  take_control_payload()});
            return WsProtocolError::None;
        case Opcode::Close:
            return finish_close(out);
        default:
            break;
    }
    if (!fin_) return WsProtocolError::None;
    if (message_opcode_ == Opcode::Text && !message_utf8_.complete())
        return WsProtocolError::InvalidUtf8;
    out.push_back(WsEvent{message_opcode_ == Opcode::Text ? WsEvent::Text : WsEvent::Binary,
                          message_ ? std::move(*message_) : std::string()});
    message_.reset();  // release the buffer: an idle connection holds nothing
    message_opcode_ = Opcode::Continuation;
    message_utf8_.reset();
    return WsProtocolError::None;
}

std::string WsFrameParser::take_control_payload() {
    std::string payload = control_ ? std::move(*control_) : std::string();
    control_.reset();
    return payload;
}

WsProtocolError WsFrameParser::finish_close(std::vector<WsEvent>& out) {
    close_received_ = true;
    std::string payload = take_control_payload();
    if (payload.empty()) {
        out.push_back(WsEvent{WsEvent::Close, std::string(), 0});
        return WsProtocolError::None;
    }
    if (payload.size() == 1) return WsProtocolError::BadClosePayload;
    const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                 static_cast<std::uint8_t>(payload[1]));
    if (!is_receivable_close_code(code)) return WsProtocolError::BadClosePayload;
    payload.erase(0, 2);
    if (!is_valid_utf8(payload)) return WsProtocolError::InvalidUtf8;
    out.push_back(WsEvent{WsEvent::Close, std::move(payload), code});
    return WsProtocolError::None;
}

}  // namespace parley::messaging
