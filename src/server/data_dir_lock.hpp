#pragma once
// One parleyd per data directory: an exclusive flock on <data-dir>/parley.lock, held for the
// life of the process (the kernel drops it when the process dies, even by kill -9).
#include <filesystem>

namespace parley::server {

class DataDirLock {
  public:
    // Creates the directory (mode 0700) if it is missing; an existing directory keeps its mode.
    // Throws std::runtime_error with a message for the operator when the directory cannot be
    // used or another process holds the lock (its pid is named when known).
    explicit DataDirLock(const std::filesystem::path& data_dir);
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace parley::server
