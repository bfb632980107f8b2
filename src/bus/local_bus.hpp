#pragma once
// The bus of a single node: there is no other node to reach, so nothing is published. The hub
// sees spans_nodes() == false and keeps its in-process fan-out and in-process guards (token
// replay, room rate), so the embedded default pays nothing for the bus.
#include "bus/bus.hpp"

namespace parley::bus {

class LocalBus final : public Bus {
  public:
    bool spans_nodes() const override { return false; }
    bool healthy() const override { return true; }
    void set_delivery(Delivery) override {}
    void start() override {}
    void subscribe(const std::string&) override {}
    void unsubscribe(const std::string&) override {}
    // Never called by the hub on a single node; answered so that a caller that does is not
    // left waiting.
    void publish(const std::string&, std::string, Done done) override;
    void take_rate_then_publish(const std::string&, int, std::string, Done done) override;
    void claim_once(const std::string&, std::int64_t, Done done) override;
    std::string render_metrics() const override { return {}; }
};

}  // namespace parley::bus
