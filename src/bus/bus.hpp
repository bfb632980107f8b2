#pragma once
// The chat bus: how a room's MESSAGE/EVENT frames and moderation actions reach the other nodes
// of a cluster, plus the rules that must hold across all of them (a chat token opens one
// connection; a room's message rate is one bucket). The messaging layer talks only to this
// interface; LocalBus (one process) and RedisBus (a cluster) implement it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace parley::bus {

enum class Verdict {
    Accepted,    // published / claimed / token taken
    Refused,     // already claimed, or the rate bucket is empty
    Unavailable  // the bus cannot answer now (down, or its outgoing buffer is full)
};

// Completion of an asynchronous bus request; runs on the bus's own event loop.
using Done = std::function<void(Verdict)>;
// Completion of a recorded publish (see publish_recorded): the message's history stream id,
// "<ms>-<seq>", when Accepted.
using RecordedDone = std::function<void(Verdict, std::string_view stream_id)>;
// A payload published by a node (this one included) to a room's channel.
using Delivery = std::function<void(std::string_view room_id, std::string_view payload)>;

class Bus {
  public:
    virtual ~Bus() = default;

    // False for LocalBus: the hub then delivers in process and never calls the methods below,
    // so a single node's hot path is exactly what it was before the bus existed.
    virtual bool spans_nodes() const = 0;
    // Reachable now (for /readyz and to refuse early rather than queue).
    virtual bool healthy() const = 0;
    // Set once, before start(): receives every payload of a subscribed room.
    virtual void set_delivery(Delivery d) = 0;
    virtual void start() = 0;

    // All of these may be called from any thread.
    virtual void subscribe(const std::string& room_id) = 0;
    virtual void unsubscribe(const std::string& room_id) = 0;
    virtual void publish(const std::string& room_id, std::string payload, Done done) = 0;
    // Takes one token from the room's cluster-wide bucket (per_second tokens a second, at most
    // one second's worth) and, when taken and `payload` is not empty, publishes it in the same
    // atomic step: a rate-limited message is never published, an accepted one always is.
    virtual void take_rate_then_publish(const std::string& room_id, int per_second,
                                        std::string payload, Done done) = 0;
    // A MESSAGE that also enters the room's cluster-wide history (docs/design.md, "Cluster-wide
    // history"): in one atomic step the rate token is taken (per_second > 0), the message is
    // appended to the room's history (bounded by max_messages and max_age_ms) and the envelope
    // `head` + "<stream id>\n" + `json` is published. Only a bus that spans nodes records.
    virtual void publish_recorded(const std::string& /*room_id*/, int /*per_second*/,
                                  std::string /*head*/, std::string /*json*/,
                                  std::string /*message_id*/, std::size_t /*max_messages*/,
                                  std::int64_t /*max_age_ms*/, RecordedDone done) {
        if (done) done(Verdict::Unavailable, {});
    }
    // Accepted the first time `key` is claimed cluster-wide; remembered for ttl_ms.
    virtual void claim_once(const std::string& key, std::int64_t ttl_ms, Done done) = 0;

    // Prometheus text for the bus's counters.
    virtual std::string render_metrics() const = 0;
};

}  // namespace parley::bus
