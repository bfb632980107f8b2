#pragma once
// An append-only file written through a small shared mapping instead of one write(2) a record:
// a connection's token then costs a memcpy, not a system call (about 1.5 µs on our VMs). What
// is copied in is in the page cache at once, so a process that dies right after still leaves
// it on disk, as write(2) without fsync did. Space is reserved ahead with posix_fallocate, a
// window at a time, so a full disk is an error here, never a SIGBUS. A file left by a process
// that died has NUL bytes after its last record (the unused reservation); closing cleanly cuts
// them off. Thread-safe.
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string_view>

namespace parley::token {

class MappedAppendFile {
  public:
    // Opens `file` (created 0600 if missing) for appending after what it holds. Throws
    // std::runtime_error.
    explicit MappedAppendFile(const std::filesystem::path& file);
    ~MappedAppendFile();
    MappedAppendFile(const MappedAppendFile&) = delete;
    MappedAppendFile& operator=(const MappedAppendFile&) = delete;

    // false when the record could not be stored (no space left, or larger than a window).
    bool append(std::string_view record);

  private:
    // Bytes mapped at a time; what the process keeps resident of the file is at most this.
    static constexpr std::size_t kWindow = 64 * 1024;

    bool map_window_at(std::size_t offset);
    void unmap();

    std::mutex mutex_;
    int fd_ = -1;
    std::size_t end_ = 0;            // file offset after the last record
    std::size_t window_offset_ = 0;  // file offset of window_[0], page aligned
    char* window_ = nullptr;         // kWindow bytes, or null
};

}  // namespace parley::token
