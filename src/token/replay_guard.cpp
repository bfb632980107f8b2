#include "token/replay_guard.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace parley::token {

namespace {
constexpr std::string_view kDigestPrefix = "sha256:";
}

bool ReplayGuard::first_use(std::string_view token_id, std::int64_t expires_at_ms,
                            std::int64_t now_ms) {
    if (expires_at_ms <= now_ms) return false;
    const TokenDigest digest = TokenDigest::of(token_id);
    if (!remember(digest, expires_at_ms, now_ms)) return false;
    append_to_journal(digest, expires_at_ms);
    return true;
}

void ReplayGuard::append_to_journal(const TokenDigest& digest, std::int64_t expires_at_ms) {
    if (!journal_) return;
    // "sha256:<32 hex digits> <expires_at_ms>\n", formatted by hand (snprintf cost 0.4 µs).
    char line[96];
    char* p = std::copy(kDigestPrefix.begin(), kDigestPrefix.end(), line);
    digest.write_hex(p);
    p += 32;
    *p++ = ' ';
    p = std::to_chars(p, line + sizeof line - 1, expires_at_ms).ptr;
    *p++ = '\n';
    // A failed append only weakens restart safety.
    if (!journal_->append({line, static_cast<std::size_t>(p - line)}))
        std::fprintf(stderr, "parleyd: cannot append to the used-token journal\n");
}

ReplayGuard::~ReplayGuard() = default;

void ReplayGuard::persist_to(const std::filesystem::path& file, std::int64_t now_ms) {
    {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            // A writer that died leaves NUL bytes after its last line (mapped_append_file.hpp).
            if (!line.empty() && line.front() == '\0') break;
            const std::size_t space = line.find(' ');
            if (space == std::string::npos) continue;
            std::int64_t expires = 0;
            const char* last = line.data() + line.size();
            if (std::from_chars(line.data() + space + 1, last, expires).ec != std::errc{} ||
                expires <= now_ms)
                continue;
            const std::string id = line.substr(0, space);
            std::string_view v = id;
            TokenDigest digest;
            if (!(v.starts_with(kDigestPrefix) &&
                  TokenDigest::from_hex(v.substr(kDigestPrefix.size()), digest)))
                digest = TokenDigest::of(id);  // an earlier version's line: the id itself
            remember(digest, expires, now_ms);
        }
    }
    // Compact: only unexpired ids survive, written to a temporary file and renamed over.
    auto tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (auto& shard : shards_) {
            std::lock_guard lock(shard.mutex);
            shard.table.for_each([&](const TokenDigest& digest, std::int64_t expires) {
                if (expires > now_ms)
                    out << kDigestPrefix << digest.hex() << ' ' << expires << '\n';
            });
        }
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, file);
    journal_ = std::make_unique<MappedAppendFile>(file);
}

bool ReplayGuard::remember(const TokenDigest& digest, std::int64_t expires_at_ms,
                           std::int64_t now_ms) {
    if (expires_at_ms <= now_ms) return false;
    // The digest's top bits pick the shard; the table indexes by its low word.
    Shard& shard = shards_[(digest.hi >> 60) & (kShards - 1)];
    std::lock_guard lock(shard.mutex);
    return shard.table.insert(digest, expires_at_ms, now_ms);
}

std::size_t ReplayGuard::sweep(std::int64_t now_ms) {
    std::size_t forgotten = 0;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        forgotten += shard.table.sweep_all(now_ms);
    }
    return forgotten;
}

std::size_t ReplayGuard::size() const {
    std::size_t n = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        n += shard.table.size();
    }
    return n;
}

}  // namespace parley::token
