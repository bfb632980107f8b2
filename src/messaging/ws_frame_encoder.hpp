#pragma once
// Server->client WebSocket frames (RFC 6455 §5.2). Servers never mask, so one encoded frame is
// byte-identical for every receiver: a broadcast is encoded once and the buffer shared.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "messaging/ws_frame_parser.hpp"

namespace parley::messaging {

// Header size for a server frame carrying `payload_length` bytes: 2, 4 or 10.
std::size_t frame_header_size(std::size_t payload_length);

// Header followed by payload in one buffer, allocated once. Control frames (Close/Ping/Pong)
// may carry at most 125 bytes; a longer payload is cut to 125 so the frame stays valid.
std::string encode_frame(Opcode op, std::string_view payload, bool fin = true);

// Close frame with status `code` and `reason`, the reason cut (at a UTF-8 character boundary)
// so the payload fits in 125 bytes. code 0 sends an empty Close payload ("no status").
std::string encode_close(std::uint16_t code, std::string_view reason);

}  // namespace parley::messaging
