#pragma once
// Counters of the messaging edge, exported on /metrics.
#include <atomic>
#include <cstdint>
#include <string>

namespace parley::messaging {

struct EdgeMetrics {
    std::atomic<std::int64_t> connections_open{0};     // every connection, pending ones too
    std::atomic<std::int64_t> connections_pending{0};  // not (yet) upgraded: in the handshake
    std::atomic<std::uint64_t> connections_accepted{0};
    // To their room's event loop after the handshake (--room-affinity).
    std::atomic<std::uint64_t> connections_moved{0};
    std::atomic<std::uint64_t> handshakes_rejected{0};
    std::atomic<std::uint64_t> tls_handshakes_failed{0};  // wss:// only: bad TLS, or gone early
    std::atomic<std::uint64_t> messages_received{0};      // client frames with an action
    std::atomic<std::uint64_t> messages_broadcast{0};     // MESSAGE/EVENT frames built
    std::atomic<std::uint64_t> frames_delivered{0};       // frames queued to a receiver
    // Cluster mode: frames other nodes published, and publishes the bus could not take.
    std::atomic<std::uint64_t> messages_from_bus{0};
    std::atomic<std::uint64_t> bus_failures{0};
    std::atomic<std::uint64_t> errors_sent{0};
    std::atomic<std::uint64_t> slow_consumers_disconnected{0};
    std::atomic<std::uint64_t> protocol_errors{0};
    // Message review (spec §3). Every review ends in exactly one of allowed, denied, fallback;
    // fallback counts the timeouts and errors too.
    std::atomic<std::uint64_t> reviews{0};
    std::atomic<std::uint64_t> reviews_allowed{0};   // the handler answered ALLOW
    std::atomic<std::uint64_t> reviews_denied{0};    // the handler answered DENY
    std::atomic<std::uint64_t> reviews_fallback{0};  // the room's fallbackResult was applied
    std::atomic<std::uint64_t> review_errors{0};     // HTTP, connection, function or invalid answer
    std::atomic<std::uint64_t> review_timeouts{0};   // no answer within 200 ms

    std::string render() const;
};

}  // namespace parley::messaging
