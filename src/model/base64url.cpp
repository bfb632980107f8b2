#include "model/base64url.hpp"

#include <array>
#include <cstdint>

namespace parley::model {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_b64_reverse() {
    std::array<std::int8_t, 256> r{};
    for (auto& v : r) v = -1;
    for (int i = 0; i < 64; ++i)
        r[static_cast<unsigned char>(kB64[i])] = static_cast<std::int8_t>(i);
    return r;
}
constexpr auto kB64Reverse = make_b64_reverse();

}  // namespace

std::string base64url_encode(const unsigned char* p, std::size_t n) {
    std::string out;
    out.resize((n * 4 + 2) / 3);
    std::size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8 | p[i + 2];
        out[o++] = kB64[v >> 18];
        out[o++] = kB64[(v >> 12) & 63];
        out[o++] = kB64[(v >> 6) & 63];
        out[o++] = kB64[v & 63];
    }
    if (n - i == 1) {
        std::uint32_t v = std::uint32_t{p[i]} << 16;
        out[o++] = kB64[v >> 18];
        out[o++] = kB64[(v >> 12) & 63];
    } else if (n - i == 2) {
        std::uint32_t v = std::uint32_t{p[i]} << 16 | std::uint32_t{p[i + 1]} << 8;
        out[o++] = kB64[v >> 18];
        out[o++] = kB64[(v >> 12) & 63];
        out[o++] = kB64[(v >> 6) & 63];
    }
    return out;
}

// Strict so that every distinct string maps to distinct bytes (no silently ignored bits).
bool base64url_decode(std::string_view s, std::string& out) {
    if (s.size() % 4 == 1) return false;
    out.resize(s.size() / 4 * 3 + (s.size() % 4 == 0 ? 0 : s.size() % 4 - 1));
    std::size_t o = 0, i = 0;
    auto val = [&](std::size_t k) { return kB64Reverse[static_cast<unsigned char>(s[k])]; };
    for (; i + 4 <= s.size(); i += 4) {
        int a = val(i), b = val(i + 1), c = val(i + 2), d = val(i + 3);
        if ((a | b | c | d) < 0) return false;
        std::uint32_t v = std::uint32_t(a) << 18 | std::uint32_t(b) << 12 | std::uint32_t(c) << 6 |
                          std::uint32_t(d);
        out[o++] = static_cast<char>(v >> 16);
        out[o++] = static_cast<char>(v >> 8);
        out[o++] = static_cast<char>(v);
    }
    std::size_t rest = s.size() - i;
    if (rest == 2) {
        int a = val(i), b = val(i + 1);
        if ((a | b) < 0 || (b & 0xF) != 0) return false;
        out[o++] = static_cast<char>(a << 2 | b >> 4);
    } else if (rest == 3) {
        int a = val(i), b = val(i + 1), c = val(i + 2);
        if ((a | b | c) < 0 || (c & 0x3) != 0) return false;
        out[o++] = static_cast<char>(a << 2 | b >> 4);
        out[o++] = static_cast<char>((b & 0xF) << 4 | c >> 2);
    }
    return true;
}

}  // namespace parley::model
