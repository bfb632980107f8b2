#include "messaging/client_request_limits.hpp"

#include "messaging/utf8_validator.hpp"

namespace parley::messaging {

bool is_message_id(std::string_view id) {
    if (id.size() != 12) return false;
    for (char c : id) {
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum) return false;
    }
    return true;
}

bool within_length(std::string_view text, std::size_t max) {
    // A byte count at most `max` needs no counting; beyond 4 bytes per code point it cannot fit.
    if (text.size() <= max) return true;
    if (text.size() > 4 * max) return false;
    return utf8_code_points(text) <= max;
}

std::string length_error(std::string_view member, std::string_view text, std::size_t max) {
    if (within_length(text, max)) return {};
    return std::string(member) + " must be at most " + std::to_string(max) + " characters";
}

}  // namespace parley::messaging
