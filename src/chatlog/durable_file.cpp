#include "chatlog/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace parley::chatlog {

namespace fs = std::filesystem;

namespace {
std::string errno_text(const std::string& what, const fs::path& p, int err) {
    return what + " " + p.string() + ": " + std::strerror(err);
}

bool write_all(int fd, std::string_view data, int& err) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string make_parents(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return "cannot create " + path.parent_path().string() + ": " + ec.message();
    return {};
}

void sync_directory(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}
}  // namespace

std::string append_durably(const fs::path& path, std::string_view data) {
    if (auto e = make_parents(path); !e.empty()) return e;
    std::error_code ec;
    bool existed = fs::exists(path, ec);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return errno_text("cannot open", path, errno);
    off_t before = ::lseek(fd, 0, SEEK_END);
    int err = 0;
    bool ok = write_all(fd, data, err);
    if (ok && ::fsync(fd) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok && before >= 0 && ::ftruncate(fd, before) == 0) ::fsync(fd);
    ::close(fd);
    if (!ok) return errno_text("cannot append to", path, err);
    if (!existed) sync_directory(path.parent_path());  // the new name must survive a crash too
    return {};
}

std::string write_atomically(const fs::path& path, std::string_view data) {
    if (auto e = make_parents(path); !e.empty()) return e;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    fs::path temp = path;
    temp += ".tmp-" + std::to_string(rng() & 0xffffffffu);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno_text("cannot create", temp, errno);
    int err = 0;
    bool ok = write_all(fd, data, err);
    if (ok && ::fsync(fd) != 0) {
        ok = false;
        err = errno;
    }
    ::close(fd);
    if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        return errno_text("cannot write", path, err);
    }
    sync_directory(path.parent_path());
    return {};
}

}  // namespace parley::chatlog
