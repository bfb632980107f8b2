#pragma once
// The two JSON documents of a message review (spec §3): what the review handler is sent for a
// SendMessage, and how its answer is read. Pure functions, so the rules can be tested alone.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "messaging/chat_frames.hpp"
#include "model/resources.hpp"

namespace parley::messaging {

// {"Content","MessageId","RoomArn","Attributes","Sender":{"Attributes","UserId","Ip"}}; maps
// the sender left out are sent as {} so handlers can read them without null checks.
std::string review_request_json(const ChatMessage& message, std::string_view room_arn,
                                std::string_view sender_ip);

struct ReviewVerdict {
    enum class Kind { Allow, Deny, Invalid };
    Kind kind = Kind::Invalid;
    std::string content;                          // Allow: what is delivered
    std::optional<model::Attributes> attributes;  // Allow: replaces the message's when present
    std::string reason;                           // Deny: Attributes.Reason, when given
    std::string problem;                          // Invalid: why, for the log
};

// Reads {"ReviewResult":"ALLOW"|"DENY","Content","Attributes"}. ALLOW needs a non-empty Content
// of at most maximum_message_length code points; Attributes, when present and not null, must
// be a string map of at most max_attributes_bytes (keys plus values). Anything else is Invalid.
ReviewVerdict parse_review_response(std::string_view body, int maximum_message_length,
                                    std::size_t max_attributes_bytes = 1024);

// The ERROR 406 text the sender gets for a denied message.
std::string denied_message_text(std::string_view reason);

}  // namespace parley::messaging
