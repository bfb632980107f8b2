#pragma once
// Logs failed authentications (reason, access key id, source address) at warn level, at most a
// few lines a second: a client hammering with a wrong key must not flood the log or slow the door.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace parley::control {

class AuthFailureLog {
  public:
    explicit AuthFailureLog(unsigned lines_per_second = 5) : per_second_(lines_per_second) {}

    // `authorization` is the raw Authorization header (may be empty); only its access key id
    // is logged, never a signature.
    void report(std::string_view operation, std::string_view error_type, std::string_view message,
                std::string_view authorization, std::string_view peer);

    std::uint64_t suppressed_total() const;

  private:
    mutable std::mutex mutex_;
    unsigned per_second_;
    std::chrono::steady_clock::time_point window_start_{};
    unsigned in_window_ = 0;
    std::uint64_t suppressed_since_last_ = 0;
    std::uint64_t suppressed_total_ = 0;
};

// The access key id named in a SigV4 Authorization header, or "-".
std::string_view access_key_id_of(std::string_view authorization);

}  // namespace parley::control
