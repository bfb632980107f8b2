#include "messaging/rate_limiter.hpp"

#include <algorithm>

namespace parley::messaging {

bool TokenBucket::try_take(double per_second, std::int64_t now_ns) {
    if (tokens_ < 0) {
        tokens_ = per_second;
        last_ns_ = now_ns;
    } else if (now_ns > last_ns_) {
        tokens_ = std::min(per_second,
                           tokens_ + per_second * static_cast<double>(now_ns - last_ns_) / 1e9);
        last_ns_ = now_ns;
    }
    // A lowered room limit applies at once: never hold more than one second's worth.
    tokens_ = std::min(tokens_, per_second);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

bool RoomRateLimiter::try_take(const std::string& room_id, int per_second, std::int64_t now_ns) {
    std::lock_guard lock(mutex_);
    return buckets_[room_id].try_take(per_second, now_ns);
}

void RoomRateLimiter::forget(const std::string& room_id) {
    std::lock_guard lock(mutex_);
    buckets_.erase(room_id);
}

std::size_t RoomRateLimiter::sweep_idle(std::int64_t now_ns) {
    std::lock_guard lock(mutex_);
    return std::erase_if(
        buckets_, [now_ns](const auto& entry) { return entry.second.idle_since_a_second(now_ns); });
}

std::size_t RoomRateLimiter::size() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace parley::messaging
