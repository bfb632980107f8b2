#pragma once
// The cluster-wide message history on Redis Streams: one stream per room,
// parley:history:<room id>, with fields i (message id) and j (the MESSAGE JSON). Appends happen
// in RedisBus's publish script (publish_recorded); this class reads and edits the streams over
// the bus's command link, never blocking a loop.
#include <cstdint>

#include "bus/redis_bus.hpp"
#include "bus/shared_history.hpp"

namespace parley::bus {

class RedisHistory final : public SharedHistory {
  public:
    RedisHistory(RedisBus& bus, std::size_t max_messages, std::int64_t max_age_ms);

    void backfill(const std::string& room_id, std::size_t n, HistoryItemsDone done) override;
    void page(const std::string& room_id, std::optional<StreamId> before, std::size_t limit,
              std::int64_t start_ms, std::int64_t end_ms, HistoryItemsDone done) override;
    void remove(const std::string& room_id, const std::string& message_id) override;
    void drop_room(const std::string& room_id) override;

  private:
    RedisBus& bus_;
    std::size_t max_messages_;
    std::int64_t max_age_ms_;
    // Test hook (PARLEY_TEST_BACKFILL_READ_DELAY_MS): widens the window between "subscription
    // live" and the history read, which a live Redis on loopback makes too short to hit, so
    // the e2e test proves the held and deduplicated live messages, not a lucky timing.
    std::int64_t read_delay_ms_ = 0;
    void read_tail(const std::string& room_id, std::size_t n, HistoryItemsDone done);
};

}  // namespace parley::bus
