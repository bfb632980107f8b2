#include "messaging/ws_frame_encoder.hpp"

#include <algorithm>

namespace parley::messaging {

namespace {
constexpr std::size_t kMaxControlPayload = 125;

bool is_control(Opcode op) {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}
}  // namespace

std::size_t frame_header_size(std::size_t payload_length) {
    if (payload_length <= 125) return 2;
    if (payload_length <= 0xFFFF) return 4;
    return 10;
}

std::string encode_frame(Opcode op, std::string_view payload, bool fin) {
    if (is_control(op)) {
        payload = payload.substr(0, kMaxControlPayload);
        fin = true;  // control frames must not be fragmented
    }
    const std::size_t len = payload.size();
    std::string out;
    out.reserve(frame_header_size(len) + len);
    out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op)));
    if (len <= 125) {
        out.push_back(static_cast<char>(len));
    } else if (len <= 0xFFFF) {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>((len >> 8) & 0xFF));
        out.push_back(static_cast<char>(len & 0xFF));
    } else {
        out.push_back(static_cast<char>(127));
        const auto len64 = static_cast<std::uint64_t>(len);
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((len64 >> shift) & 0xFF));
    }
    out.append(payload);
    return out;
}

std::string encode_close(std::uint16_t code, std::string_view reason) {
    if (code == 0) return encode_frame(Opcode::Close, {});
    std::size_t keep = std::min(reason.size(), kMaxControlPayload - 2);
    // Back off to a character boundary so the reason stays valid UTF-8 for strict clients.
    if (keep < reason.size())
        while (keep > 0 && (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80) --keep;
    std::string payload;
    payload.reserve(2 + keep);
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xFF));
    payload.append(reason.substr(0, keep));
    return encode_frame(Opcode::Close, payload);
}

}  // namespace parley::messaging
