#include "token/key_ring.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::token {
namespace {

namespace fs = std::filesystem;
using Entry = KeyRing::Entry;

constexpr std::size_t kMaxFileBytes = 1 << 20;  // 256 keys need ~25 KB; anything bigger is junk

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
    throw std::runtime_error("token key file " + file.string() + ": " + what);
}

std::string errno_text(int err) {
    return std::strerror(err);
}

std::int64_t now_epoch_s() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

KeyBytes random_key() {
    KeyBytes k{};
    if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) {
        throw std::runtime_error("token keys: RAND_bytes failed");
    }
    return k;
}

void wipe(std::vector<Entry>& entries) {
    for (auto& e : entries) OPENSSL_cleanse(e.bytes.data(), e.bytes.size());
}

// ---- text format -------------------------------------------------------------------------

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string to_text(const std::vector<Entry>& entries) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out =
        "# parley chat-token keys (keep secret). One key a line:\n"
        "# <id 0-255> <created_epoch_s> <retired_epoch_s, 0 = active> <key: 64 hex chars>\n";
    for (const auto& e : entries) {
        out += std::to_string(e.id) + ' ' + std::to_string(e.created_s) + ' ' +
               std::to_string(e.retired_s) + ' ';
        for (unsigned char b : e.bytes) {
            out += kHex[b >> 4];
            out += kHex[b & 0xF];
        }
        out += '\n';
    }
    return out;
}

template <typename Int>
bool parse_int(std::string_view s, Int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

Entry parse_line(const fs::path& file, std::size_t line_no, std::string_view line) {
    auto bad = [&](const std::string& why) {
        fail(file, "line " + std::to_string(line_no) + ": " + why);
    };
    auto f = split_fields(line);
    if (f.size() != 4) bad("expected 4 fields <id> <created> <retired> <hex key>");
    Entry e;
    if (!parse_int(f[0], e.id) || e.id > kMaxKeyId) bad("key id must be 0-255");
    if (!parse_int(f[1], e.created_s) || e.created_s < 0) bad("bad creation time");
    if (!parse_int(f[2], e.retired_s) || e.retired_s < 0) bad("bad retirement time");
    if (f[3].size() != 2 * kKeyBytes) bad("key must be 64 hex characters");
    for (std::size_t i = 0; i < kKeyBytes; ++i) {
        int hi = hex_value(f[3][2 * i]);
        int lo = hex_value(f[3][2 * i + 1]);
        if (hi < 0 || lo < 0) bad("key must be 64 hex characters");
        e.bytes[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return e;
}

std::vector<Entry> parse_text(const fs::path& file, std::string_view text) {
    std::vector<Entry> entries;
    std::size_t line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] == '#') continue;
        Entry e = parse_line(file, line_no, line);
        for (const auto& other : entries) {
            if (other.id == e.id) {
                fail(file, "line " + std::to_string(line_no) + ": duplicate key id " +
                               std::to_string(e.id));
            }
        }
        entries.push_back(e);
    }
    auto active = std::count_if(entries.begin(), entries.end(),
                                [](const Entry& e) { return e.retired_s == 0; });
    if (entries.empty()) fail(file, "no keys (corrupt or truncated file)");
    if (active != 1) {
        fail(file,
             "expected exactly one active key (retired = 0), found " + std::to_string(active));
    }
    return entries;
}

// ---- file I/O ----------------------------------------------------------------------------

// nullopt if the file does not exist; throws if it exists but cannot be read.
std::optional<std::string> read_file(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return std::nullopt;
        fail(file, "cannot open: " + errno_text(err));
    }
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            fail(file, "cannot read: " + errno_text(err));
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxFileBytes) {
            ::close(fd);
            fail(file, "too large to be a key file (corrupt?)");
        }
    }
    ::close(fd);
    return text;
}

void fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);  // best effort: the rename is already visible
        ::close(fd);
    }
}

enum class Publish { Replace, CreateOnly };

// Writes a temp file (0600) next to <file>, then renames (Replace) or links (CreateOnly) it into
// place, so readers never see a half-written key file. CreateOnly returns false if another
// process created <file> first.
bool write_atomically(const fs::path& file, const std::string& text, Publish how) {
    std::error_code ec;
    if (file.has_parent_path()) {
        fs::create_directories(file.parent_path(), ec);
        if (ec) fail(file, "cannot create directory: " + ec.message());
    }
    std::string tmp = file.string() + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmp.data());  // creates the file with mode 0600
    if (fd < 0) fail(file, "cannot create temp file: " + errno_text(errno));
    auto abandon = [&](const std::string& what) {
        int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(file, what + ": " + errno_text(err));
    };
    if (::fchmod(fd, 0600) != 0) abandon("cannot chmod temp file");
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) abandon("cannot write temp file");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) abandon("cannot fsync temp file");
    ::close(fd);

    bool published = true;
    if (how == Publish::CreateOnly) {
        if (::link(tmp.c_str(), file.c_str()) != 0) {
            int err = errno;
            if (err == EEXIST) {
                published = false;
            } else if (::rename(tmp.c_str(), file.c_str()) != 0) {  // no hard links here
                err = errno;
                ::unlink(tmp.c_str());
                fail(file, "cannot create: " + errno_text(err));
            }
        }
        ::unlink(tmp.c_str());
    } else if (::rename(tmp.c_str(), file.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        fail(file, "cannot replace: " + errno_text(err));
    }
    fsync_dir(file.parent_path());
    return published;
}

std::vector<Entry> fresh_entries() {
    return {Entry{.id = 1, .created_s = now_epoch_s(), .retired_s = 0, .bytes = random_key()}};
}

}  // namespace

KeyRing::KeyRing(std::vector<Entry> entries) : entries_(std::move(entries)) {}

KeyRing::~KeyRing() {
    wipe(entries_);
}

std::shared_ptr<KeyRing> KeyRing::load_or_create(const fs::path& file) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (auto text = read_file(file)) {
            return std::shared_ptr<KeyRing>(new KeyRing(parse_text(file, *text)));
        }
        auto entries = fresh_entries();
        if (write_atomically(file, to_text(entries), Publish::CreateOnly)) {
            return std::shared_ptr<KeyRing>(new KeyRing(std::move(entries)));
        }
        wipe(entries);  // lost a creation race: load the winner's keys
    }
    fail(file, "appeared and vanished while being created");
}

std::shared_ptr<KeyRing> KeyRing::ephemeral() {
    return std::shared_ptr<KeyRing>(new KeyRing(fresh_entries()));
}

namespace {
void require_one_active(const std::vector<Entry>& entries) {
    auto active = std::count_if(entries.begin(), entries.end(),
                                [](const Entry& e) { return e.retired_s == 0; });
    if (active != 1) {
        throw std::invalid_argument("token keys: expected exactly one active key, found " +
                                    std::to_string(active));
    }
}
}  // namespace

std::shared_ptr<KeyRing> KeyRing::from_entries(std::vector<Entry> entries) {
    require_one_active(entries);
    return std::shared_ptr<KeyRing>(new KeyRing(std::move(entries)));
}

void KeyRing::reload(std::vector<Entry> entries) {
    require_one_active(entries);
    std::lock_guard writer(write_mutex_);
    replace(std::move(entries));
}

std::vector<Entry> KeyRing::snapshot() const {
    std::shared_lock lock(mutex_);
    return entries_;
}

void KeyRing::replace(std::vector<Entry> entries) {
    {
        std::unique_lock lock(mutex_);
        entries_.swap(entries);
    }
    wipe(entries);
}

std::uint32_t KeyRing::rotate(const fs::path& file) {
    std::lock_guard writer(write_mutex_);
    auto next = snapshot();
    auto taken = [&](std::uint32_t id) {
        return std::any_of(next.begin(), next.end(), [&](const Entry& e) { return e.id == id; });
    };
    auto active = std::find_if(next.begin(), next.end(), [](auto& e) { return e.retired_s == 0; });
    std::uint32_t id = active == next.end() ? 1 : active->id;
    for (std::uint32_t tries = 0;; ++tries) {
        if (tries > kMaxKeyId) {
            wipe(next);
            fail(file, "all 256 key ids are in use; prune retired keys first");
        }
        id = (id + 1) % (kMaxKeyId + 1);
        if (!taken(id)) break;
    }
    std::int64_t now = now_epoch_s();
    for (auto& e : next) {
        if (e.retired_s == 0) e.retired_s = std::max<std::int64_t>(now, 1);
    }
    next.push_back(Entry{.id = id, .created_s = now, .retired_s = 0, .bytes = random_key()});
    try {
        write_atomically(file, to_text(next), Publish::Replace);
    } catch (...) {
        wipe(next);
        throw;
    }
    replace(std::move(next));
    return id;
}

std::size_t KeyRing::prune(const fs::path& file, std::chrono::seconds older_than) {
    return prune(file, older_than, now_epoch_s());
}

std::size_t KeyRing::prune(const fs::path& file, std::chrono::seconds older_than,
                           std::int64_t now_epoch_s) {
    std::lock_guard writer(write_mutex_);
    auto next = snapshot();
    auto expired = [&](const Entry& e) {
        return e.retired_s != 0 && e.retired_s + older_than.count() < now_epoch_s;
    };
    auto keep_end = std::stable_partition(next.begin(), next.end(),
                                          [&](const Entry& e) { return !expired(e); });
    auto dropped = static_cast<std::size_t>(next.end() - keep_end);
    if (dropped == 0) {
        wipe(next);
        return 0;
    }
    for (auto it = keep_end; it != next.end(); ++it) OPENSSL_cleanse(it->bytes.data(), kKeyBytes);
    next.erase(keep_end, next.end());
    try {
        write_atomically(file, to_text(next), Publish::Replace);
    } catch (...) {
        wipe(next);
        throw;
    }
    replace(std::move(next));
    return dropped;
}

SealingKey KeyRing::active() const {
    std::shared_lock lock(mutex_);
    for (const auto& e : entries_) {
        if (e.retired_s == 0) return SealingKey{e.id, e.bytes, e.created_s};
    }
    return SealingKey{entries_.front().id, entries_.front().bytes,
                      entries_.front().created_s};  // unreachable: one is active
}

std::optional<KeyBytes> KeyRing::find(std::uint32_t id) const {
    std::shared_lock lock(mutex_);
    for (const auto& e : entries_) {
        if (e.id == id) return e.bytes;
    }
    return std::nullopt;
}

std::vector<std::uint32_t> KeyRing::ids() const {
    std::shared_lock lock(mutex_);
    std::vector<std::uint32_t> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.id);
    return out;
}

}  // namespace parley::token
