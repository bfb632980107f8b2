#include "token/replay_guard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

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
    if (!remember(token_id, expires_at_ms, now_ms)) return false;
    if (journal_fd_ >= 0) {
        std::string line = std::string(token_id) + ' ' + std::to_string(expires_at_ms) + '\n';
        // O_APPEND keeps concurrent lines whole; a failed write only weakens restart safety.
        if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            std::fprintf(stderr, "parleyd: cannot append to the used-token journal\n");
    }
    return true;
}

ReplayGuard::~ReplayGuard() {
    if (journal_fd_ >= 0) ::close(journal_fd_);
}

void ReplayGuard::persist_to(const std::filesystem::path& file, std::int64_t now_ms) {
    {
        std::ifstream in(file);
        std::string id;
        std::int64_t expires = 0;
        while (in >> id >> expires) remember(id, expires, now_ms);
    }
    // Compact: only unexpired ids survive, written to a temporary file and renamed over.
    auto tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (auto& shard : shards_) {
            std::lock_guard lock(shard.mutex);
            for (const auto& [id, expires] : shard.expires_at)
                if (expires > now_ms) out << id << ' ' << expires << '\n';
        }
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, file);
    journal_fd_ = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
    if (journal_fd_ < 0) throw std::runtime_error("cannot open " + file.string());
}

bool ReplayGuard::remember(std::string_view token_id, std::int64_t expires_at_ms,
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
