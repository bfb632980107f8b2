#pragma once
// Who is connected to each room across every node of a cluster (docs/design.md, "Cluster-wide
// presence"). Each node reports its own connections; a user's first connection and last
// disconnection cluster-wide come back through the bus as kind-P envelopes (bus_envelope.hpp).
// Every callback runs on the bus's event loop.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/resources.hpp"

namespace parley::bus {

struct SharedPresenceUser {
    std::string user_id;
    model::Attributes attributes;  // of the user's first connection cluster-wide
    std::int64_t connections = 0;
    std::int64_t connected_since_ms = 0;
};

struct SharedPresencePage {
    bool ok = false;  // false: the shared store could not answer
    std::int64_t connection_count = 0;
    std::int64_t user_count = 0;
    std::vector<SharedPresenceUser> users;  // by user id, bytewise
    bool more = false;
};

class SharedPresence {
  public:
    virtual ~SharedPresence() = default;
    virtual void start() = 0;  // heartbeats, and counting dead nodes out
    // From any thread, in the order of this node's connections opening and closing.
    virtual void connected(const std::string& room_id, const std::string& user_id,
                           const model::Attributes& attributes) = 0;
    virtual void disconnected(const std::string& room_id, const std::string& user_id) = 0;
    // Users after `after_user` (bytewise), at most `limit`; the counts are the room's.
    virtual void page(const std::string& room_id, const std::string& after_user, std::size_t limit,
                      std::function<void(SharedPresencePage)> done) = 0;
};

}  // namespace parley::bus
