#pragma once
// Pieces of the WebSocket opening handshake (RFC 6455 §4.2) that need no socket: the accept
// key, and checks on the client's key and offered subprotocols (the chat token rides there).
#include <string>
#include <string_view>
#include <vector>

namespace parley::messaging {

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), the Sec-WebSocket-Accept value.
std::string websocket_accept_key(std::string_view sec_websocket_key);

// A Sec-WebSocket-Key must be base64 of 16 bytes: 22 base64 characters then "==".
bool is_valid_websocket_key(std::string_view key);

// RFC 7230 token: one or more of ! # $ % & ' * + - . ^ _ ` | ~ digits letters.
// Browsers refuse any other subprotocol string, so a chat token is always one.
bool is_valid_subprotocol_token(std::string_view s);

// Splits a Sec-WebSocket-Protocol header value ("a, b,c") into its entries, trimming spaces and
// tabs and dropping empty ones. The views point into `header`.
std::vector<std::string_view> offered_subprotocols(std::string_view header);
// The first of those (where the chat token rides), or empty; allocates nothing.
std::string_view first_subprotocol(std::string_view header);
// Whether a comma-separated header value (Connection: "keep-alive, Upgrade") lists `token`,
// compared case-insensitively.
bool header_lists_token(std::string_view value, std::string_view token);

// Parley's opt-in extensions, asked for in the request target's query (docs/extensions.md):
// ?history=N (backfill the room's last N messages) and ?presence=1 (join/leave events). Other
// parameters are ignored, as the service does. `error` is set for a malformed value.
struct ConnectOptions {
    std::size_t history = 0;
    bool presence = false;
    std::string error;
};
ConnectOptions parse_connect_options(std::string_view target);

}  // namespace parley::messaging
