#include "token/used_token_table.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <string>

#include "token/fast_digest.hpp"

namespace parley::token {

namespace {

std::uint64_t load_be64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

TokenDigest TokenDigest::of(std::string_view token_id) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
    if (const auto d = fast_digest(DigestAlgorithm::Sha256, {token_id}); d.size == md.size())
        std::copy_n(d.bytes.begin(), md.size(), md.begin());
    else
        ::SHA256(reinterpret_cast<const unsigned char*>(token_id.data()), token_id.size(),
                 md.data());
    return TokenDigest{.hi = load_be64(md.data()), .lo = load_be64(md.data() + 8)};
}

void TokenDigest::write_hex(char* out) const {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
        out[15 - i] = kDigits[(hi >> (4 * i)) & 0xF];
        out[31 - i] = kDigits[(lo >> (4 * i)) & 0xF];
    }
}

std::string TokenDigest::hex() const {
    std::string out(32, '0');
    write_hex(out.data());
    return out;
}

bool TokenDigest::from_hex(std::string_view hex, TokenDigest& out) {
    if (hex.size() != 32) return false;
    std::uint64_t words[2] = {0, 0};
    for (std::size_t i = 0; i < 32; ++i) {
        int v = hex_digit_value(hex[i]);
        if (v < 0) return false;
        words[i / 16] = (words[i / 16] << 4) | static_cast<std::uint64_t>(v);
    }
    out = TokenDigest{.hi = words[0], .lo = words[1]};
    return true;
}

bool UsedTokenTable::insert(const TokenDigest& d, std::int64_t expires_at_ms, std::int64_t now_ms) {
    // Keep the load at most 3/4 (linear probing stays short): before growing, drop what has
    // expired, so a table whose tokens come and go keeps its size.
    if ((size_ + 1) * 4 > slots_.size() * 3) {
        std::size_t capacity = slots_.empty() ? kMinCapacity : slots_.size();
        std::size_t live = 0;
        for (const auto& s : slots_)
            if (s.expires_at_ms != kEmpty && s.expires_at_ms > now_ms) ++live;
        // The record being looked up may be among the expired ones: renewing it is then the
        // same as inserting it afresh.
        while ((live + 1) * 2 > capacity) capacity *= 2;  // leaves room to grow into
        rebuild(capacity, now_ms);
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = home(d);; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (s.expires_at_ms == kEmpty) {
            s = Slot{.digest = d, .expires_at_ms = expires_at_ms};
            ++size_;
            return true;
        }
        if (s.digest == d) {
            if (s.expires_at_ms > now_ms) return false;
            s.expires_at_ms = expires_at_ms;  // expired but not yet swept: a new use of an old id
            return true;
        }
    }
}

void UsedTokenTable::erase_at(std::size_t i) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (slots_[j].expires_at_ms == kEmpty) break;
        std::size_t k = home(slots_[j].digest);
        // The record at j may fill the hole at i unless its home lies cyclically in (i, j].
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        slots_[i] = slots_[j];
        i = j;
    }
    slots_[i] = Slot{};
    --size_;
}

std::size_t UsedTokenTable::sweep_all(std::int64_t now_ms) {
    if (slots_.empty()) return 0;
    std::size_t live = 0;
    for (const auto& s : slots_)
        if (s.expires_at_ms != kEmpty && s.expires_at_ms > now_ms) ++live;
    if (live == size_) return 0;
    // Shrink when at most 1/8 full, down to a load of at most 1/2 (memory back after a burst).
    std::size_t capacity = slots_.size();
    if (live * 8 <= capacity)
        while (capacity / 2 >= kMinCapacity && live * 2 <= capacity / 2) capacity /= 2;
    if (live == 0) {
        std::size_t forgotten = size_;
        slots_ = {};
        size_ = 0;
        return forgotten;
    }
    if (capacity < slots_.size()) return rebuild(capacity, now_ms);
    // The same size: the expired records are erased where they are, in one pass. Deletion only
    // moves a record back into the hole at i, from a later slot or one already looked at (a run
    // that wraps), so every slot is looked at with what it holds by the time the pass reaches it.
    std::size_t forgotten = 0;
    for (std::size_t i = 0; i < slots_.size();) {
        const Slot& s = slots_[i];
        if (s.expires_at_ms != kEmpty && s.expires_at_ms <= now_ms) {
            erase_at(i);  // look at slot i again: it may hold a moved record now
            ++forgotten;
        } else {
            ++i;
        }
    }
    return forgotten;
}

std::size_t UsedTokenTable::rebuild(std::size_t capacity, std::int64_t now_ms) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    const std::size_t before = size_;
    size_ = 0;
    const std::size_t mask = capacity - 1;
    for (const auto& s : old) {
        if (s.expires_at_ms == kEmpty || s.expires_at_ms <= now_ms) continue;
        std::size_t i = home(s.digest);
        while (slots_[i].expires_at_ms != kEmpty) i = (i + 1) & mask;
        slots_[i] = s;
        ++size_;
    }
    return before - size_;
}

void UsedTokenTable::for_each(
    const std::function<void(const TokenDigest&, std::int64_t)>& fn) const {
    for (const auto& s : slots_)
        if (s.expires_at_ms != kEmpty) fn(s.digest, s.expires_at_ms);
}

}  // namespace parley::token
