#include "messaging/ws_handshake.hpp"

#include <openssl/evp.h>

#include <array>
#include <boost/beast/core/string.hpp>

#include "token/fast_digest.hpp"

namespace parley::messaging {

namespace {
constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

bool is_tchar(char c) {
    constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           kPunctuation.find(c) != std::string_view::npos;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The next entry of a comma-separated header list, spaces and tabs trimmed, and `rest` moved
// past it; empty entries included (the callers skip them).
std::string_view next_list_item(std::string_view& rest) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim_ows(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    return item;
}
}  // namespace

std::string websocket_accept_key(std::string_view sec_websocket_key) {
    const auto digest =
        token::fast_digest(token::DigestAlgorithm::Sha1, {sec_websocket_key, kWebSocketGuid});
    if (digest.size == 0) return {};

    // EVP_EncodeBlock writes 4 bytes per 3 input bytes plus a terminating NUL.
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
    const int n =
        EVP_EncodeBlock(encoded.data(), digest.bytes.data(), static_cast<int>(digest.size));
    if (n < 0) return {};
    return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}

bool is_valid_websocket_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (std::size_t i = 0; i < 22; ++i)
        if (!is_base64_char(key[i])) return false;
    return true;  // non-zero padding bits are tolerated: the key is only ever echoed hashed
}

bool is_valid_subprotocol_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

std::vector<std::string_view> offered_subprotocols(std::string_view header) {
    std::vector<std::string_view> out;
    while (!header.empty())
        if (auto item = next_list_item(header); !item.empty()) out.push_back(item);
    return out;
}

std::string_view first_subprotocol(std::string_view header) {
    while (!header.empty())
        if (auto item = next_list_item(header); !item.empty()) return item;
    return {};
}

bool header_lists_token(std::string_view value, std::string_view token) {
    while (!value.empty())
        if (boost::beast::iequals(next_list_item(value), token)) return true;
    return false;
}

ConnectOptions parse_connect_options(std::string_view target) {
    ConnectOptions out;
    auto q = target.find('?');
    if (q == std::string_view::npos) return out;
    auto query = target.substr(q + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = part.find('=');
        auto name = part.substr(0, eq);
        auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        if (name == "history") {
            if (value.empty() || value.size() > 6 ||
                value.find_first_not_of("0123456789") != std::string_view::npos) {
                out.error = "history must be a whole number of messages";
                return out;
            }
            out.history = std::stoul(std::string(value));
        } else if (name == "presence") {
            if (value == "1" || value == "true")
                out.presence = true;
            else if (value == "0" || value == "false")
                out.presence = false;
            else {
                out.error = "presence must be 1 or 0";
                return out;
            }
        }
    }
    return out;
}

}  // namespace parley::messaging
