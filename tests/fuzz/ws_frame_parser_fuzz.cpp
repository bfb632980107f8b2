// libFuzzer target for the client-frame parser and the UTF-8 validator (not part of the CMake
// build; see run.sh). Beyond "no crash", it checks properties that must hold on any input:
// splitting the bytes differently never changes the result, events respect the limits, and the
// table-driven UTF-8 validator agrees with a plain reference decoder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "messaging/utf8_validator.hpp"
#include "messaging/ws_frame_encoder.hpp"
#include "messaging/ws_frame_parser.hpp"

using namespace parley::messaging;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Straightforward decoder, written differently from the validator on purpose.
bool reference_utf8(std::string_view s, std::size_t* code_points) {
    std::size_t i = 0, count = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len;
        std::uint32_t cp;
        if (b < 0x80) {
            ++i;
            ++count;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2, cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3, cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4, cp = b & 0x07;
        } else {
            return false;
        }
        if (s.size() - i < len) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
        ++count;
    }
    *code_points = count;
    return true;
}

struct Run {
    std::vector<WsEvent> events;
    WsProtocolError error = WsProtocolError::None;
};

bool same(const Run& a, const Run& b) {
    if (a.error != b.error || a.events.size() != b.events.size()) return false;
    for (std::size_t i = 0; i < a.events.size(); ++i)
        if (a.events[i].kind != b.events[i].kind || a.events[i].payload != b.events[i].payload ||
            a.events[i].close_code != b.events[i].close_code)
            return false;
    return true;
}

void check_events(const Run& r, std::size_t cap) {
    for (const WsEvent& e : r.events) {
        switch (e.kind) {
            case WsEvent::Text:
                check(is_valid_utf8(e.payload));
                [[fallthrough]];
            case WsEvent::Binary:
                check(e.payload.size() <= cap);
                break;
            case WsEvent::Close:
                check(e.payload.size() <= 123 && is_valid_utf8(e.payload));
                check(e.close_code == 0 || e.close_code >= 1000);
                break;
            default:
                check(e.payload.size() <= 125);
        }
    }
}

// Client frames for the round trip: mask a server frame with a fixed key.
std::vector<std::uint8_t> as_client_frame(const std::string& frame) {
    const auto len7 = static_cast<std::uint8_t>(frame[1]) & 0x7F;
    const std::size_t hlen = len7 == 126 ? 4 : (len7 == 127 ? 10 : 2);
    std::vector<std::uint8_t> out(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(hlen));
    out[1] |= 0x80;
    const std::uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    out.insert(out.end(), key, key + 4);
    for (std::size_t i = hlen; i < frame.size(); ++i)
        out.push_back(static_cast<std::uint8_t>(frame[i]) ^ key[(i - hlen) % 4]);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    constexpr std::size_t kCaps[] = {0, 1, 16, 125, 1000, 64 * 1024};
    const std::size_t cap = kCaps[data[1] % 6];
    std::uint32_t seed = data[0];
    const std::span<const std::uint8_t> in(data + 2, size - 2);

    // 1. All at once vs. pseudo-random pieces (including empty ones).
    Run whole;
    {
        WsFrameParser p(cap);
        whole.error = p.feed(in, whole.events);
        check(p.finished() || whole.error == WsProtocolError::None);
    }
    Run pieces;
    {
        WsFrameParser p(cap);
        std::size_t i = 0;
        while (i < in.size()) {
            seed = seed * 1103515245u + 12345u;
            const std::size_t n = std::min<std::size_t>((seed >> 16) % 19, in.size() - i);
            pieces.error = p.feed(in.subspan(i, n), pieces.events);
            i += n;
        }
    }
    check(same(whole, pieces));
    check_events(whole, cap);

    // 2. UTF-8: validator vs. reference, streaming split vs. whole, code-point count.
    const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
    std::size_t ref_count = 0;
    const bool ref_ok = reference_utf8(text, &ref_count);
    check(is_valid_utf8(text) == ref_ok);
    if (ref_ok) check(utf8_code_points(text) == ref_count);
    if (!text.empty()) {
        const std::size_t cut = data[0] % (text.size() + 1);
        Utf8Validator v;
        const bool ok = v.feed(text.substr(0, cut)) && v.feed(text.substr(cut)) && v.complete();
        check(ok == ref_ok);
    }

    // 3. Encoder round trip: whatever we send, masked, parses back to the same message.
    {
        const std::string frame = encode_frame(ref_ok ? Opcode::Text : Opcode::Binary, text);
        WsFrameParser p(text.size());
        std::vector<WsEvent> out;
        check(p.feed(as_client_frame(frame), out) == WsProtocolError::None);
        check(out.size() == 1 && out[0].payload == text);
        const std::string close = encode_close(1000, text);
        out.clear();
        WsFrameParser q;
        const WsProtocolError e = q.feed(as_client_frame(close), out);
        if (ref_ok)
            check(e == WsProtocolError::None && out.size() == 1 && out[0].close_code == 1000);
    }
    return 0;
}
