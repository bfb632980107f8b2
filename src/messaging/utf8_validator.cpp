#include "messaging/utf8_validator.hpp"

#include <array>
#include <cstring>

namespace parley::messaging {

namespace {
// States: after a lead byte we know how many continuation bytes follow and, for E0/ED/F0/F4,
// the narrower range the first one must fall in (that is what excludes overlongs, surrogates
// and code points above U+10FFFF).
enum State : std::uint8_t {
    kAccept = Utf8Validator::kAccept,
    kCont1,    // one more 80..BF
    kCont2,    // two more 80..BF
    kCont3,    // three more 80..BF
    kAfterE0,  // A0..BF, then one more
    kAfterED,  // 80..9F, then one more
    kAfterF0,  // 90..BF, then two more
    kAfterF4,  // 80..8F, then two more
    kReject,
};

struct ContinuationRule {
    std::uint8_t lo, hi, next;
};
constexpr std::array<ContinuationRule, 8> kRules{{
    {0, 0, kReject},  // kAccept: not used
    {0x80, 0xBF, kAccept},
    {0x80, 0xBF, kCont1},
    {0x80, 0xBF, kCont2},
    {0xA0, 0xBF, kCont1},
    {0x80, 0x9F, kCont1},
    {0x90, 0xBF, kCont2},
    {0x80, 0x8F, kCont2},
}};

constexpr std::array<std::uint8_t, 256> make_lead_table() {
    std::array<std::uint8_t, 256> t{};
    for (int b = 0; b < 256; ++b) {
        std::uint8_t s = kReject;  // 80..C1 (stray continuation, overlong 2-byte), F5..FF
        if (b < 0x80)
            s = kAccept;
        else if (b >= 0xC2 && b <= 0xDF)
            s = kCont1;
        else if (b == 0xE0)
            s = kAfterE0;
        else if (b == 0xED)
            s = kAfterED;
        else if (b >= 0xE1 && b <= 0xEF)
            s = kCont2;
        else if (b == 0xF0)
            s = kAfterF0;
        else if (b >= 0xF1 && b <= 0xF3)
            s = kCont3;
        else if (b == 0xF4)
            s = kAfterF4;
        t[b] = s;
    }
    return t;
}
constexpr std::array<std::uint8_t, 256> kLead = make_lead_table();

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
}  // namespace

bool Utf8Validator::feed(std::string_view chunk) {
    if (state_ == kReject) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(chunk.data());
    const unsigned char* end = p + chunk.size();
    std::uint8_t s = state_;
    while (p < end) {
        if (s == kAccept) {
            // Chat text is mostly ASCII: skip it eight bytes at a time.
            while (end - p >= 8) {
                std::uint64_t w;
                std::memcpy(&w, p, sizeof w);
                if (w & kHighBits) break;
                p += 8;
            }
            if (p == end) break;
            s = kLead[*p++];
            if (s == kReject) break;
        } else {
            const ContinuationRule& r = kRules[s];
            const unsigned char b = *p++;
            if (b < r.lo || b > r.hi) {
                s = kReject;
                break;
            }
            s = r.next;
        }
    }
    state_ = s;
    return s != kReject;
}

bool is_valid_utf8(std::string_view s) {
    Utf8Validator v;
    return v.feed(s) && v.complete();
}

std::size_t utf8_code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

}  // namespace parley::messaging
