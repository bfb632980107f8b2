#include "token/mapped_append_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parley::token {

MappedAppendFile::MappedAppendFile(const std::filesystem::path& file) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open " + file.string());
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        ::close(fd_);
        throw std::runtime_error("cannot stat " + file.string());
    }
    end_ = static_cast<std::size_t>(st.st_size);
    // A file left with a NUL tail (its writer died) is appended to after its last record.
    if (end_ > 0) {
        std::string tail(std::min<std::size_t>(end_, kWindow), '\0');
        const auto from = static_cast<off_t>(end_ - tail.size());
        if (::pread(fd_, tail.data(), tail.size(), from) == static_cast<ssize_t>(tail.size())) {
            std::size_t used = tail.find_last_not_of('\0');
            used = used == std::string::npos ? 0 : used + 1;
            if (used < tail.size()) {
                end_ = static_cast<std::size_t>(from) + used;
                if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
                    ::close(fd_);
                    throw std::runtime_error("cannot truncate " + file.string());
                }
            }
        }
    }
}

MappedAppendFile::~MappedAppendFile() {
    unmap();
    // Closed cleanly: the reservation past the last record goes (were this to fail, readers
    // stop at the NUL tail anyway).
    [[maybe_unused]] const int ignored = ::ftruncate(fd_, static_cast<off_t>(end_));
    ::close(fd_);
}

void MappedAppendFile::unmap() {
    if (window_ != nullptr) ::munmap(window_, kWindow);
    window_ = nullptr;
}

bool MappedAppendFile::map_window_at(std::size_t offset) {
    unmap();
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t start = offset / page * page;
    if (::posix_fallocate(fd_, static_cast<off_t>(start), static_cast<off_t>(kWindow)) != 0)
        return false;
    void* p = ::mmap(nullptr, kWindow, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                     static_cast<off_t>(start));
    if (p == MAP_FAILED) return false;
    window_ = static_cast<char*>(p);
    window_offset_ = start;
    return true;
}

bool MappedAppendFile::append(std::string_view record) {
    std::lock_guard lock(mutex_);
    if (window_ == nullptr || end_ + record.size() > window_offset_ + kWindow) {
        if (!map_window_at(end_) || end_ + record.size() > window_offset_ + kWindow) return false;
    }
    std::memcpy(window_ + (end_ - window_offset_), record.data(), record.size());
    end_ += record.size();
    return true;
}

}  // namespace parley::token
