#pragma once
// A ?history=N connection's backfill in cluster mode (docs/design.md, "Cluster-wide history"):
// the history is read from Redis after the connection joined its room, so live frames that
// arrive meanwhile are held, and once the backfill is sent only MESSAGEs with a stream id above
// the last backfilled one go out: no gap, no duplicate. Touched only on the session's loop.
#include <utility>
#include <vector>

#include "bus/stream_id.hpp"
#include "messaging/chat_frames.hpp"

namespace parley::messaging {

struct ClusterBackfill {
    bool waiting = true;  // the history read has not come back yet
    bus::StreamId floor;  // the last backfilled message's id
    std::vector<std::pair<SharedFrame, bus::StreamId>> held;

    // True: send the frame now. A frame without a stream id (an EVENT) is never a duplicate.
    bool admit(const SharedFrame& frame, const bus::StreamId& id) {
        if (waiting) {
            held.emplace_back(frame, id);
            return false;
        }
        return id.empty() || floor < id;
    }
};

}  // namespace parley::messaging
