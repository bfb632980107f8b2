#pragma once
// Single use of chat tokens: remembers each token id until its token expires (after that the
// sealer refuses the token anyway, so the id can be forgotten). In memory, for one process;
// cluster mode does the same with Redis SET NX PX. An id is remembered as a 16-byte digest in
// a flat table (used_token_table.hpp): about 24-48 bytes a token instead of a string and a
// hash-map node (~150 bytes), which at 10,000 idle connections is a tenth of their memory.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include "token/mapped_append_file.hpp"
#include "token/used_token_table.hpp"

namespace parley::token {

class ReplayGuard {
  public:
    // true the first time (the id is then remembered until expires_at_ms), false on every later
    // call while it is remembered. An id whose expiry is already past (expires_at_ms <= now_ms)
    // cannot be remembered and is refused (false). Thread-safe.
    bool first_use(std::string_view token_id, std::int64_t expires_at_ms, std::int64_t now_ms);
    // Forgets every id expired at now_ms; returns how many. The event loops call it each second:
    // a sweep on every first use would scan cold slots on the connect path (~0.7% of a server's
    // samples while connections open), and insert() drops expired ids before growing anyway.
    std::size_t sweep(std::int64_t now_ms);
    // Entries currently remembered (expired ones not yet swept included).
    std::size_t size() const;

    // Makes used ids survive a restart: loads the unexpired ids of <file>, rewrites it with only
    // those, then appends every later first use to it (through a shared mapping, each in the page
    // cache before the connection is accepted, so a process killed after accepting it still
    // remembers its token; mapped_append_file.hpp). Lines are
    // "sha256:<32 hex digits> <expires_at_ms>"; a line "<token id> <expires_at_ms>" (the journal
    // of earlier versions) is read too. Throws std::runtime_error.
    void persist_to(const std::filesystem::path& file, std::int64_t now_ms);
    ~ReplayGuard();

  private:
    static constexpr std::size_t kShards = 16;  // independent locks keep threads apart

    struct Shard {
        mutable std::mutex mutex;
        UsedTokenTable table;
    };

    bool remember(const TokenDigest& digest, std::int64_t expires_at_ms, std::int64_t now_ms);
    void append_to_journal(const TokenDigest& digest, std::int64_t expires_at_ms);

    std::array<Shard, kShards> shards_;
    std::unique_ptr<MappedAppendFile> journal_;
};

}  // namespace parley::token
