#include "bus/local_bus.hpp"

namespace parley::bus {

void LocalBus::publish(const std::string&, std::string, Done done) {
    if (done) done(Verdict::Accepted);
}

void LocalBus::take_rate_then_publish(const std::string&, int, std::string, Done done) {
    if (done) done(Verdict::Accepted);
}

void LocalBus::claim_once(const std::string&, std::int64_t, Done done) {
    if (done) done(Verdict::Accepted);
}

}  // namespace parley::bus
