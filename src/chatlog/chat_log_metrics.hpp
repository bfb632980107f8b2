#pragma once
// Counters of the chat logger, per destination type, exported on /metrics.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "chatlog/log_destination.hpp"

namespace parley::chatlog {

struct ChatLogMetrics {
    using Counters = std::array<std::atomic<std::uint64_t>, kDestinationTypes>;
    Counters written{};  // records durably written (fsync'd) to a destination
    Counters dropped{};  // records not queued: queue full, or the logger stopped
    Counters failed{};   // records lost to a write error (unwritable directory, disk full)
    std::atomic<std::int64_t> queued{0};  // records waiting for the writer

    void add(Counters& c, DestinationType t, std::uint64_t n = 1) {
        c[static_cast<std::size_t>(t)].fetch_add(n, std::memory_order_relaxed);
    }
    std::uint64_t get(const Counters& c, DestinationType t) const {
        return c[static_cast<std::size_t>(t)].load(std::memory_order_relaxed);
    }
    std::string render() const;
};

}  // namespace parley::chatlog
