#pragma once
// What a chat connection holds only until its WebSocket upgrade is answered; shared by the
// session's handshake (chat_session_handshake.cpp) and the session itself, which frees it.
#include <boost/beast/core/flat_buffer.hpp>
#include <cstddef>
#include <string>

#include "messaging/upgrade_request_parser.hpp"

namespace parley::messaging {

// What a connection holds only until it is upgraded: at most kMaxUpgradeBytes of request, read
// as it arrives (the buffer grows from 512 bytes), so a pending connection stays small.
inline constexpr std::size_t kMaxUpgradeBytes = 8192;

struct HandshakeState {
    boost::beast::flat_buffer buffer{kMaxUpgradeBytes};
    UpgradeRequestParser parser;
    std::string response;
};

}  // namespace parley::messaging
