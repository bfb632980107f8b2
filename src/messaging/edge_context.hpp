#pragma once
// What every chat session shares: settings, the room catalog, token opening, the hub.
#include <cstddef>

#include "messaging/edge_metrics.hpp"
#include "messaging/rate_limiter.hpp"
#include "messaging/room_catalog.hpp"
#include "token/replay_guard.hpp"
#include "token/token_sealer.hpp"

namespace parley::messaging {

class RoomHub;
class MessageReviewer;

struct EdgeSettings {
    std::size_t max_frame_bytes = 64 * 1024;
    std::size_t max_outbound_bytes = 1024 * 1024;
    std::size_t max_connections = 50000;  // upgraded connections
    // Connections still in their opening handshake (not yet authenticated by a chat token) have
    // their own cap and deadline, so silent sockets cannot fill --max-connections.
    std::size_t max_pending_connections = 4096;
    double requests_per_connection_per_second = 10;  // the service's fixed per-connection quota
    std::size_t max_message_attributes_bytes = 1024;
    int handshake_timeout_ms = 5000;  // checked by the once-a-second tick
    int idle_ping_after_ms = 30000;   // quiet connections get a ping...
    int idle_close_after_ms = 75000;  // ...and are dropped if still silent after this
    int close_linger_ms = 5000;       // wait this long for the peer's close reply
    // A loop pass's writes to many connections in one io_uring submission where the kernel
    // allows it (--io-uring auto); false: one send() each (--io-uring off).
    bool batch_sends = true;
    // With several event loops, a room's connections gather on one loop (its home) up to this
    // many, so a message to a room that size is fanned out by one loop, with no hand-off to
    // another; past it, new members go to the loop with the fewest connections. 0: every
    // connection stays on the loop it was accepted on, round robin (--room-affinity).
    std::size_t room_affinity = 1000;
};

struct EdgeContext {
    EdgeSettings settings;
    RoomCatalog& rooms;
    const token::TokenSealer& sealer;
    token::ReplayGuard& replay_guard;
    RoomRateLimiter& room_rates;
    EdgeMetrics& metrics;
    RoomHub* hub = nullptr;
    MessageReviewer* reviewer = nullptr;  // null: no review handler support configured
};

}  // namespace parley::messaging
