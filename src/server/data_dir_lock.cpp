#include "server/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parley::server {

namespace {
std::string reason(int err) {
    return std::strerror(err);
}

std::string read_small_file(int fd) {
    char buf[64] = {};
    auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string s(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}
}  // namespace

DataDirLock::DataDirLock(const std::filesystem::path& data_dir) {
    struct stat st {};
    if (::stat(data_dir.c_str(), &st) != 0) {
        if (errno != ENOENT)
            throw std::runtime_error("cannot use --data-dir " + data_dir.string() + ": " +
                                     reason(errno));
        // Only a directory we create gets our mode; an operator's own stays as they set it.
        std::error_code ec;
        if (data_dir.has_parent_path())
            std::filesystem::create_directories(data_dir.parent_path(), ec);
        if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create --data-dir " + data_dir.string() + ": " +
                                     reason(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        throw std::runtime_error("--data-dir " + data_dir.string() + " is not a directory");
    }
    auto file = data_dir / "parley.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw std::runtime_error("cannot create " + file.string() + ": " + reason(errno) +
                                 " (the data directory must be writable by parleyd)");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        std::string holder = read_small_file(fd_);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw std::runtime_error("another parleyd" +
                                     (holder.empty() ? std::string() : " (pid " + holder + ")") +
                                     " is already using --data-dir " + data_dir.string() +
                                     "; stop it, or give this one its own --data-dir");
        throw std::runtime_error("cannot lock " + file.string() + ": " + reason(err));
    }
    // The pid is only a hint for the message above; the flock is what excludes.
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        // Not fatal here: a full disk is reported by the store's start-up write with more context.
    }
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace parley::server
