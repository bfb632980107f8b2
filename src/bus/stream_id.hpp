#pragma once
// A Redis Streams entry id, "<milliseconds>-<sequence>": ids only grow within a stream, so a
// room's history order is the order of its ids, the same on every node.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bus {

struct StreamId {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;
    auto operator<=>(const StreamId&) const = default;
    bool empty() const { return ms == 0 && seq == 0; }
    std::string str() const { return std::to_string(ms) + "-" + std::to_string(seq); }
};

// "1700000000000-3" (or "1700000000000", seq 0); nullopt if malformed.
std::optional<StreamId> parse_stream_id(std::string_view text);

}  // namespace parley::bus
