#pragma once
// Counters per delivery destination (type and name: bucket, log group, delivery stream) of the
// chat log uploaders, exported on /metrics. Only destinations with a --*-endpoint appear.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "chatlog/log_destination.hpp"

namespace parley::chatlog {

struct DestinationCounts {
    std::int64_t queued_records = 0;  // in the spool, waiting for upload
    std::int64_t spool_bytes = 0;
    std::uint64_t uploaded = 0;  // records the destination acknowledged (2xx)
    std::uint64_t failed = 0;    // records of upload attempts that failed (each retry counts)
    std::uint64_t dropped = 0;   // records removed unsent: spool full, or unreadable
};

class DestinationMetrics {
  public:
    void spooled(DestinationType t, const std::string& name, std::uint64_t records,
                 std::uint64_t bytes);
    // Records and bytes leave the spool: uploaded (delivered) or dropped.
    void unspooled(DestinationType t, const std::string& name, std::uint64_t records,
                   std::uint64_t bytes);
    void uploaded(DestinationType t, const std::string& name, std::uint64_t records);
    void failed(DestinationType t, const std::string& name, std::uint64_t records);
    void dropped(DestinationType t, const std::string& name, std::uint64_t records);
    DestinationCounts get(DestinationType t, const std::string& name) const;
    std::string render() const;

  private:
    DestinationCounts& at(DestinationType t, const std::string& name);
    mutable std::mutex mutex_;
    std::map<std::pair<int, std::string>, DestinationCounts> counts_;
};

}  // namespace parley::chatlog
