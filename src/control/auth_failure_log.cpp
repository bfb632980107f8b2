#include "control/auth_failure_log.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace parley::control {

namespace {
// Client-supplied text goes into the log: no control characters (log forging), bounded length.
std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    for (char c : s.substr(0, max))
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return out;
}
}  // namespace

std::string_view access_key_id_of(std::string_view authorization) {
    auto pos = authorization.find("Credential=");
    if (pos == std::string_view::npos) return "-";
    auto id = authorization.substr(pos + 11);
    id = id.substr(0, id.find_first_of("/, "));
    return id.empty() ? "-" : id;
}

void AuthFailureLog::report(std::string_view operation, std::string_view error_type,
                            std::string_view message, std::string_view authorization,
                            std::string_view peer) {
    std::uint64_t suppressed = 0;
    {
        std::lock_guard lock(mutex_);
        auto now = std::chrono::steady_clock::now();
        if (now - window_start_ >= std::chrono::seconds(1)) {
            window_start_ = now;
            in_window_ = 0;
        }
        if (in_window_ >= per_second_) {
            ++suppressed_since_last_;
            ++suppressed_total_;
            return;
        }
        ++in_window_;
        suppressed = suppressed_since_last_;
        suppressed_since_last_ = 0;
    }
    // The message is the client-visible one and may quote client input: cap it.
    spdlog::warn("authentication failed: {} {} from {} (access key id {}): {}{}", operation,
                 error_type, peer.empty() ? "-" : peer,
                 printable(access_key_id_of(authorization), 128), printable(message, 300),
                 suppressed ? fmt::format(" ({} similar lines suppressed)", suppressed) : "");
}

std::uint64_t AuthFailureLog::suppressed_total() const {
    std::lock_guard lock(mutex_);
    return suppressed_total_;
}

}  // namespace parley::control
