#pragma once
// What a connection that asked for ?history=N keeps beyond a plain one: allocated only for
// those, so an idle connection without history pays one null pointer for it (docs/extensions.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "messaging/chat_frames.hpp"
#include "messaging/cluster_backfill.hpp"

namespace parley::messaging {

struct HistoryJoin {
    std::size_t wanted = 0;             // ?history=N, capped at --history-messages (> 0)
    std::uint64_t floor = 0;            // live MESSAGEs up to this seq came with the backfill
    std::vector<SharedFrame> backfill;  // sent right after the 101, then released
    // Cluster mode only (--bus redis): live frames held until the backfill read from Redis has
    // been sent, and the stream-id floor after it.
    std::unique_ptr<ClusterBackfill> cluster;
};

}  // namespace parley::messaging
