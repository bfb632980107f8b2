#pragma once
// A room's message history shared by every node of a cluster (docs/design.md, "Cluster-wide
// history"). Messages enter it with the bus's publish_recorded, atomically with their publish;
// this interface reads and edits it. Every callback runs on the bus's event loop.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bus/stream_id.hpp"

namespace parley::bus {

struct HistoryItem {
    StreamId id;       // its place in the room's history, the same on every node
    std::string json;  // the MESSAGE exactly as delivered
};
// ok false: the shared store could not answer (down, or too slow).
using HistoryItemsDone = std::function<void(bool ok, std::vector<HistoryItem> items)>;

class SharedHistory {
  public:
    virtual ~SharedHistory() = default;
    // The room's newest `n` messages within the age limit, oldest first, read once this node's
    // subscription to the room is live: whatever is appended after the read reaches this node
    // live, with an id above the last one returned.
    virtual void backfill(const std::string& room_id, std::size_t n, HistoryItemsDone done) = 0;
    // Newest first: ids below `before` (none: from the newest) sent in [start_ms, end_ms], at
    // most `limit`.
    virtual void page(const std::string& room_id, std::optional<StreamId> before, std::size_t limit,
                      std::int64_t start_ms, std::int64_t end_ms, HistoryItemsDone done) = 0;
    // DELETE_MESSAGE / DeleteMessage; queued before anything this node publishes after it.
    virtual void remove(const std::string& room_id, const std::string& message_id) = 0;
    virtual void drop_room(const std::string& room_id) = 0;  // DeleteRoom
};

}  // namespace parley::bus
