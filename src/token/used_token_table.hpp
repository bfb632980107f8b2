#pragma once
// The replay guard's memory of used tokens: a flat open-addressing table (linear probing) of
// fixed-size records, 24 bytes a slot, no allocation per token. A token id is kept as the first
// 16 bytes of its SHA-256, not as a string: with n ids remembered at once, two distinct ids
// share a digest with probability about n^2 / 2^129 (10^9 live tokens: ~1.5e-21), and a
// collision could only refuse a genuine token, never admit a used one. Not thread-safe (the
// guard's shards lock around it).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace parley::token {

struct TokenDigest {
    std::uint64_t hi = 0, lo = 0;  // bytes 0-7 and 8-15 of SHA-256(token id), big-endian
    friend bool operator==(const TokenDigest&, const TokenDigest&) = default;

    static TokenDigest of(std::string_view token_id);
    // 32 lower-case hex digits, and back (false for anything else).
    std::string hex() const;
    static bool from_hex(std::string_view hex, TokenDigest& out);
    // The same 32 digits written at out[0, 32), without allocating.
    void write_hex(char* out) const;
};

class UsedTokenTable {
  public:
    // true: `d` was not remembered, or only with an expiry <= now_ms (then it is renewed); it is
    // now remembered until expires_at_ms. false: remembered and not yet expired (unchanged).
    bool insert(const TokenDigest& d, std::int64_t expires_at_ms, std::int64_t now_ms);
    // Forgets every record expired at now_ms and shrinks the table when it got sparse.
    std::size_t sweep_all(std::int64_t now_ms);
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }
    void for_each(const std::function<void(const TokenDigest&, std::int64_t)>& fn) const;

  private:
    static constexpr std::int64_t kEmpty = INT64_MIN;
    static constexpr std::size_t kMinCapacity = 16;
    struct Slot {
        TokenDigest digest;
        std::int64_t expires_at_ms = kEmpty;
    };
    std::size_t home(const TokenDigest& d) const { return d.lo & (slots_.size() - 1); }
    // Rehashes the live (unexpired at now_ms) records into `capacity` slots; returns how many
    // expired ones it dropped.
    std::size_t rebuild(std::size_t capacity, std::int64_t now_ms);
    void erase_at(std::size_t i);  // backward-shift deletion: no tombstones

    std::vector<Slot> slots_;  // power-of-two size, or empty
    std::size_t size_ = 0;
};

}  // namespace parley::token
