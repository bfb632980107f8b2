#pragma once
// Incremental parser for client->server WebSocket frames (RFC 6455 §5). Pure: no I/O, so the
// session feeds it whatever the socket delivered and acts on the events it returns.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "messaging/utf8_validator.hpp"

namespace parley::messaging {

enum class Opcode : std::uint8_t {
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10
};

// One complete message (fragments already joined) or one control frame.
// For Close: close_code is the received status code (0 when the frame had no payload) and
// payload is the reason (already checked to be UTF-8).
struct WsEvent {
    enum Kind { Text, Binary, Ping, Pong, Close } kind;
    std::string payload;
    std::uint16_t close_code = 0;
};

enum class WsProtocolError {
    None,
    UnmaskedClientFrame,
    ReservedBits,
    UnknownOpcode,
    ControlFrameTooLong,
    FragmentedControlFrame,
    UnexpectedContinuation,
    ExpectedContinuation,
    MessageTooBig,
    InvalidUtf8,
    BadClosePayload
};

// Close status to send when failing the connection: 1009 too big, 1007 bad UTF-8, 1002 other
// protocol errors, 1000 for None.
std::uint16_t close_code_for(WsProtocolError err);
const char* to_string(WsProtocolError err);

class WsFrameParser {
  public:
    explicit WsFrameParser(std::size_t max_message_bytes = 64 * 1024);

    // Consumes `bytes` and appends every complete event to `out`. Returns the first protocol
    // error; events appended before it are valid. After an error, or after a Close event, the
    // parser is finished: later calls consume nothing and return the same result (the session
    // answers the Close / fails the connection and stops reading).
    // A data frame whose declared length would take the message over the cap is refused from
    // its header alone, before any of its payload is buffered. Payload bytes are copied once,
    // into the message buffer, and unmasked there.
    WsProtocolError feed(std::span<const std::uint8_t> bytes, std::vector<WsEvent>& out);

    bool finished() const { return error_ != WsProtocolError::None || close_received_; }
    WsProtocolError error() const { return error_; }
    std::size_t max_message_bytes() const { return max_message_bytes_; }

  private:
    // Returns bytes consumed from `in`; sets error_ on a bad header.
    std::size_t read_header(const std::uint8_t* in, std::size_t n);
    WsProtocolError check_first_two_bytes();
    WsProtocolError start_frame();
    std::size_t read_payload(const std::uint8_t* in, std::size_t n);
    WsProtocolError finish_frame(std::vector<WsEvent>& out);
    WsProtocolError finish_close(std::vector<WsEvent>& out);
    std::string take_control_payload();  // and forgets it

    std::size_t max_message_bytes_;

    // The small fields first, together (no padding between them: see IdleParserIsSmall).
    // Header being assembled: 2 fixed bytes + up to 8 length bytes + 4 mask bytes.
    std::array<std::uint8_t, 14> header_{};
    std::uint8_t header_have_ = 0;
    std::uint8_t header_need_ = 2;
    bool in_payload_ = false;
    // Current frame.
    Opcode opcode_ = Opcode::Continuation;
    bool fin_ = false;
    std::array<std::uint8_t, 4> mask_{};
    // Data message being reassembled (Continuation = none in progress).
    Opcode message_opcode_ = Opcode::Continuation;
    Utf8Validator message_utf8_;
    bool close_received_ = false;
    WsProtocolError error_ = WsProtocolError::None;

    std::uint64_t frame_length_ = 0;
    std::uint64_t frame_received_ = 0;

    // The data message being reassembled and the current control frame's payload (<= 125
    // bytes), each made only when payload arrives: an idle connection's parser keeps 8 bytes
    // for each, not a 32-byte string.
    std::unique_ptr<std::string> message_;
    std::unique_ptr<std::string> control_;
};

}  // namespace parley::messaging
