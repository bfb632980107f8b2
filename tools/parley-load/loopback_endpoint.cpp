#include "loopback_endpoint.hpp"

#include <charconv>

namespace parley::load {

namespace ip = boost::asio::ip;

namespace {

bool is_loopback(const ip::address_v4& a) {
    return (a.to_uint() >> 24) == 127;
}

std::optional<ip::address_v4> parse_v4(std::string_view s) {
    if (s == "localhost") return ip::address_v4::loopback();
    boost::system::error_code ec;
    auto a = ip::make_address_v4(std::string(s), ec);
    if (ec) return std::nullopt;
    return a;
}

}  // namespace

std::optional<Endpoint> parse_loopback_url(std::string_view url, std::string_view scheme,
                                           std::string& error) {
    std::string prefix = std::string(scheme) + "://";
    if (url.substr(0, prefix.size()) != prefix) {
        error = "'" + std::string(url) + "' must start with " + prefix;
        return std::nullopt;
    }
    auto rest = url.substr(prefix.size());
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (rest.substr(slash) != "/") {
            error = "'" + std::string(url) + "': no path is expected";
            return std::nullopt;
        }
        rest = rest.substr(0, slash);
    }
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
        error = "'" + std::string(url) + "' needs an explicit port";
        return std::nullopt;
    }
    auto host = rest.substr(0, colon);
    auto port_text = rest.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        error = "'" + std::string(url) + "' has a bad port";
        return std::nullopt;
    }
    auto addr = parse_v4(host);
    if (!addr || !is_loopback(*addr)) {
        error = "refusing '" + std::string(url) + "': only 127.0.0.0/8 and localhost are allowed";
        return std::nullopt;
    }
    return Endpoint{*addr, static_cast<std::uint16_t>(port), std::string(rest), nullptr};
}

std::optional<std::vector<ip::address_v4>> expand_source_addresses(
    const std::vector<std::string>& items, std::string& error) {
    std::vector<ip::address_v4> out;
    for (const auto& item : items) {
        auto dash = item.find('-');
        auto first = parse_v4(item.substr(0, dash));
        auto last = dash == std::string::npos ? first : parse_v4(item.substr(dash + 1));
        if (!first || !last || !is_loopback(*first) || !is_loopback(*last) ||
            last->to_uint() < first->to_uint() || last->to_uint() - first->to_uint() > 4096) {
            error = "bad source address '" + item + "' (loopback addresses or ranges only)";
            return std::nullopt;
        }
        for (auto v = first->to_uint(); v <= last->to_uint(); ++v) out.emplace_back(v);
    }
    if (out.empty()) {
        error = "no source address given";
        return std::nullopt;
    }
    return out;
}

}  // namespace parley::load
