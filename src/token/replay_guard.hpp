#pragma once
// Single use of chat tokens: remembers each token id until its token expires (after that the
// sealer refuses the token anyway, so the id can be forgotten). In memory, for one process;
// cluster mode does the same with Redis SET NX PX.
#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley::token {

class ReplayGuard {
  public:
    // true the first time (the id is then remembered until expires_at_ms), false on every later
    // call while it is remembered. An id whose expiry is already past (expires_at_ms <= now_ms)
    // cannot be remembered and is refused (false). Each call also forgets a few expired ids.
    // Thread-safe.
    bool first_use(std::string_view token_id, std::int64_t expires_at_ms, std::int64_t now_ms);
    // Forgets every id expired at now_ms (for a periodic timer); returns how many.
    std::size_t sweep(std::int64_t now_ms);
    // Entries currently remembered (expired ones not yet swept included).
    std::size_t size() const;

    // Makes used ids survive a restart: loads the unexpired ids of <file>, rewrites it with only
    // those, then appends every later first use to it (one write(2) each, so a process killed
    // after accepting a connection still remembers its token). Throws std::runtime_error.
    void persist_to(const std::filesystem::path& file, std::int64_t now_ms);
    ~ReplayGuard();

  private:
    static constexpr std::size_t kShards = 16;  // independent locks keep threads apart
    static constexpr std::size_t kSweepPerCall = 4;

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    // Expiry queue entry; the key points into the map node, which never moves.
    using Expiry = std::pair<std::int64_t, const std::string*>;
    struct SoonestFirst {
        bool operator()(const Expiry& a, const Expiry& b) const { return a.first > b.first; }
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> expires_at;
        std::priority_queue<Expiry, std::vector<Expiry>, SoonestFirst> queue;
        std::size_t sweep(std::int64_t now_ms, std::size_t limit);  // caller holds mutex
    };

    bool remember(std::string_view token_id, std::int64_t expires_at_ms, std::int64_t now_ms);

    std::array<Shard, kShards> shards_;
    int journal_fd_ = -1;
};

}  // namespace parley::token
