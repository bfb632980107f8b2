#pragma once
// Bounds on the members of a client's chat request that the server copies into what it sends
// to the whole room (RequestId, DELETE_MESSAGE's Id and Reason, DISCONNECT_USER's UserId and
// Reason). Unbounded, one 64 KiB request would be copied to every member: a fan-out amplifier.
// The service documents no limits for the WebSocket actions; these follow the HTTP API's.
#include <cstddef>
#include <string>
#include <string_view>

namespace parley::messaging {

// Lengths in Unicode code points, as the HTTP API counts them.
inline constexpr std::size_t kMaxRequestIdLength = 256;  // SDKs send a 36-character UUID
inline constexpr std::size_t kMaxReasonLength = 256;     // the HTTP API's reason: 1-256
inline constexpr std::size_t kMaxUserIdLength = 128;     // CreateChatToken's userId: 1-128

// An IVS message id: exactly 12 ASCII letters and digits (the HTTP DeleteMessage's id rule;
// every MESSAGE this server sends has one).
bool is_message_id(std::string_view id);

// At most `max` code points (the text is valid UTF-8: the frame parser checked it).
bool within_length(std::string_view text, std::size_t max);

// The ERROR 400 message for `member` past its bound ("Reason must be at most 256 characters"),
// or an empty string when `text` is within it.
std::string length_error(std::string_view member, std::string_view text, std::size_t max);

}  // namespace parley::messaging
