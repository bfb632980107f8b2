#pragma once
// The JSON payloads the messaging edge sends (MESSAGE, EVENT, ERROR), built with the service's
// member order and conventions: "RequestId":"" when the client gave none, Sender.Attributes {}
// for a token without attributes, SendTime in RFC 3339 with nanoseconds.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/resources.hpp"

namespace parley::messaging {

// A server frame (header + payload) encoded once and shared by every receiver.
using SharedFrame = std::shared_ptr<const std::string>;

struct ChatMessage {
    std::string id;
    std::string request_id;
    std::optional<model::Attributes> attributes;  // null when the sender gave none
    std::string content;
    std::int64_t send_time_ns = 0;
    std::string sender_user_id;
    model::Attributes sender_attributes;
};

struct ChatEvent {
    std::string id;
    std::string request_id;
    std::string event_name;
    model::Attributes attributes;
    std::int64_t send_time_ns = 0;
};

std::string message_json(const ChatMessage& m);
std::string event_json(const ChatEvent& e);
std::string error_json(std::string_view id, std::string_view request_id, int code,
                       std::string_view message);

// Encodes a JSON payload as one unmasked text frame, ready to share.
SharedFrame text_frame(std::string_view json);

}  // namespace parley::messaging
