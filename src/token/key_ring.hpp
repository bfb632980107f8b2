#pragma once
// The AES-256 keys that seal chat tokens. One key is active (seals new tokens); retired keys
// stay so that tokens they sealed still open until those expire. Key ids are one byte on the
// wire (0-255), which keeps tokens short; rotate() reuses ids of keys that were pruned.
//
// Key file (text, mode 0600, replaced atomically on every change):
//   # comment lines and blank lines are ignored
//   <id 0-255> <created_epoch_s> <retired_epoch_s, 0 = active> <key: 64 hex chars>
// Exactly one line must be active.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <vector>

namespace parley::token {

inline constexpr std::size_t kKeyBytes = 32;  // AES-256
inline constexpr std::uint32_t kMaxKeyId = 255;
using KeyBytes = std::array<unsigned char, kKeyBytes>;

struct SealingKey {
    std::uint32_t id = 0;
    KeyBytes bytes{};
    std::int64_t created_epoch_s = 0;
};

class KeyRing {
  public:
    // Loads <file>; if missing, creates it (and its directory) with one fresh random key, mode
    // 0600, atomically. Throws std::runtime_error naming the file on unreadable/corrupt files.
    static std::shared_ptr<KeyRing> load_or_create(const std::filesystem::path& file);
    // One fresh key, kept in memory only (tests, throwaway dev servers).
    static std::shared_ptr<KeyRing> ephemeral();

    struct Entry;
    // Keys kept elsewhere (a shared database): exactly one must be active (retired_s == 0).
    // Throws std::invalid_argument otherwise. No file is involved; rotate()/prune() are not
    // used on such a ring, reload() replaces its keys instead.
    static std::shared_ptr<KeyRing> from_entries(std::vector<Entry> entries);
    void reload(std::vector<Entry> entries);

    // Adds a new active key (the old one retires but stays for opening) and saves the ring to
    // <file>. Returns the new key id. Throws std::runtime_error if saving fails (the ring is
    // then unchanged) or if all 256 ids are taken.
    std::uint32_t rotate(const std::filesystem::path& file);
    // Drops keys retired more than `older_than` ago: with older_than >= the token lifetime,
    // every token they sealed has expired. Saves if anything was dropped; returns how many.
    std::size_t prune(const std::filesystem::path& file, std::chrono::seconds older_than);
    std::size_t prune(const std::filesystem::path& file, std::chrono::seconds older_than,
                      std::int64_t now_epoch_s);

    // Reads are thread-safe and may run concurrently with rotate()/prune().
    SealingKey active() const;
    std::optional<KeyBytes> find(std::uint32_t id) const;
    std::vector<std::uint32_t> ids() const;  // every key id, oldest first

    KeyRing(const KeyRing&) = delete;
    KeyRing& operator=(const KeyRing&) = delete;
    ~KeyRing();

    struct Entry {
        std::uint32_t id = 0;
        std::int64_t created_s = 0;
        std::int64_t retired_s = 0;  // 0 while active
        KeyBytes bytes{};
    };

  private:
    explicit KeyRing(std::vector<Entry> entries);
    std::vector<Entry> snapshot() const;
    void replace(std::vector<Entry> entries);

    mutable std::shared_mutex mutex_;  // guards entries_
    std::mutex write_mutex_;           // one rotate()/prune() at a time, file write included
    std::vector<Entry> entries_;
};

}  // namespace parley::token
