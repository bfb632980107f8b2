#include "token/replay_guard.hpp"

namespace parley::token {

std::size_t ReplayGuard::Shard::sweep(std::int64_t now_ms, std::size_t limit) {
    std::size_t forgotten = 0;
    while (forgotten < limit && !queue.empty() && queue.top().first <= now_ms) {
        auto [when, key] = queue.top();
        queue.pop();
        auto it = expires_at.find(*key);
        // An id reused after its expiry got a later entry; this older one is stale.
        if (it != expires_at.end() && it->second == when) {
            expires_at.erase(it);
            ++forgotten;
        }
    }
    return forgotten;
}

bool ReplayGuard::first_use(std::string_view token_id, std::int64_t expires_at_ms,
                            std::int64_t now_ms) {
    if (expires_at_ms <= now_ms) return false;
    // Fibonacci mix so the shard does not follow the map's own bucket choice.
    auto mixed = static_cast<std::uint64_t>(Hash{}(token_id)) * 0x9E3779B97F4A7C15ull;
    Shard& shard = shards_[(mixed >> 60) & (kShards - 1)];

    std::lock_guard lock(shard.mutex);
    shard.sweep(now_ms, kSweepPerCall);
    auto it = shard.expires_at.find(token_id);
    if (it != shard.expires_at.end()) {
        if (it->second > now_ms) return false;
        it->second = expires_at_ms;  // expired but not yet swept: a new use of an old id
    } else {
        it = shard.expires_at.emplace(std::string(token_id), expires_at_ms).first;
    }
    shard.queue.emplace(expires_at_ms, &it->first);
    return true;
}

std::size_t ReplayGuard::sweep(std::int64_t now_ms) {
    std::size_t forgotten = 0;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        forgotten += shard.sweep(now_ms, static_cast<std::size_t>(-1));
    }
    return forgotten;
}

std::size_t ReplayGuard::size() const {
    std::size_t n = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        n += shard.expires_at.size();
    }
    return n;
}

}  // namespace parley::token
