#pragma once
// Token buckets: one per room shared by all its senders (maximumMessageRatePerSecond), and one
// per connection (the service's 10 requests/s). The bucket holds at most one second's worth.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace parley::messaging {

class TokenBucket {
  public:
    // True and one token taken if available at `now_ns` for a rate of `per_second`.
    bool try_take(double per_second, std::int64_t now_ns);
    // Untouched for a second or more: full again, so the same as a bucket never used.
    bool idle_since_a_second(std::int64_t now_ns) const {
        return tokens_ < 0 || now_ns - last_ns_ >= 1'000'000'000;
    }

  private:
    double tokens_ = -1;  // < 0: not yet initialised (starts full)
    std::int64_t last_ns_ = 0;
};

// Room-wide limits, shared by every event loop.
class RoomRateLimiter {
  public:
    bool try_take(const std::string& room_id, int per_second, std::int64_t now_ns);
    void forget(const std::string& room_id);
    // Drops the buckets of rooms quiet for a second (a dropped bucket comes back full, exactly
    // as it would have refilled), so memory follows the rooms sending now, not every room that
    // ever sent, nor a deleted room whose last message raced its forget(). Returns how many.
    std::size_t sweep_idle(std::int64_t now_ns);
    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace parley::messaging
