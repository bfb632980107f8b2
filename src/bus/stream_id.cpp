#include "bus/stream_id.hpp"

#include <charconv>

namespace parley::bus {

std::optional<StreamId> parse_stream_id(std::string_view text) {
    StreamId id;
    auto dash = text.find('-');
    auto ms = text.substr(0, dash);
    auto [p, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), id.ms);
    if (ms.empty() || ec != std::errc() || p != ms.data() + ms.size()) return std::nullopt;
    if (dash == std::string_view::npos) return id;
    auto seq = text.substr(dash + 1);
    auto [q, ec2] = std::from_chars(seq.data(), seq.data() + seq.size(), id.seq);
    if (seq.empty() || ec2 != std::errc() || q != seq.data() + seq.size()) return std::nullopt;
    return id;
}

}  // namespace parley::bus
