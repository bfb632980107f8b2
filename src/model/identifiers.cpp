#include "model/identifiers.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace parley::model {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::uint64_t next_random() {
    // One generator per thread, seeded from the OS; ids need uniqueness, not secrecy.
    thread_local std::mt19937_64 gen([] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }());
    return gen();
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

std::string new_id() {
    std::string id(12, 'A');
    std::uint64_t r = next_random();
    std::uint64_t r2 = next_random();
    for (int i = 0; i < 12; ++i) {
        std::uint64_t& src = i < 8 ? r : r2;
        id[i] = kAlphabet[src % kAlphabet.size()];
        src /= kAlphabet.size();
    }
    return id;
}

bool is_id(std::string_view s) {
    if (s.size() != 12) return false;
    for (char c : s)
        if (!is_alnum(c)) return false;
    return true;
}

std::string room_arn(std::string_view region, std::string_view account, std::string_view id) {
    return "arn:aws:ivschat:" + std::string(region) + ":" + std::string(account) + ":room/" +
           std::string(id);
}

std::string logging_configuration_arn(std::string_view region, std::string_view account,
                                      std::string_view id) {
    return "arn:aws:ivschat:" + std::string(region) + ":" + std::string(account) +
           ":logging-configuration/" + std::string(id);
}

std::optional<ArnParts> parse_arn(std::string_view arn) {
    constexpr std::string_view prefix = "arn:aws:ivschat:";
    if (arn.substr(0, prefix.size()) != prefix) return std::nullopt;
    arn.remove_prefix(prefix.size());
    auto c1 = arn.find(':');
    if (c1 == std::string_view::npos || c1 == 0) return std::nullopt;
    auto region = arn.substr(0, c1);
    for (char c : region)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
    arn.remove_prefix(c1 + 1);
    auto c2 = arn.find(':');
    if (c2 == std::string_view::npos || c2 == 0) return std::nullopt;
    auto account = arn.substr(0, c2);
    for (char c : account)
        if (c < '0' || c > '9') return std::nullopt;
    arn.remove_prefix(c2 + 1);
    auto slash = arn.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto type = arn.substr(0, slash);
    auto id = arn.substr(slash + 1);
    if (type != "room" && type != "logging-configuration") return std::nullopt;
    if (!is_id(id)) return std::nullopt;
    return ArnParts{std::string(region), std::string(account), std::string(type), std::string(id)};
}

}  // namespace parley::model
