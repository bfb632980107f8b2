#pragma once
// Control-plane actions on a live room: SendEvent, DeleteMessage, DisconnectUser.
#include <optional>
#include <string>

#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

struct SendEventRequest {
    std::string room_identifier{};           // required, room ARN
    std::string event_name{};                // required, 1-100
    std::optional<Attributes> attributes{};  // <= 1 KB in total, like token attributes

    Value to_value() const;
    static SendEventRequest from_value(const Value& v);
};

struct SendEventResponse {
    std::string id{};  // the event Id clients see

    Value to_value() const;
};

struct DeleteMessageRequest {
    std::string room_identifier{};        // required, room ARN
    std::string id{};                     // required, exactly 12 [a-zA-Z0-9]
    std::optional<std::string> reason{};  // 1-256

    Value to_value() const;
    static DeleteMessageRequest from_value(const Value& v);
};

struct DeleteMessageResponse {
    std::string id{};  // the operation (event) id

    Value to_value() const;
};

struct DisconnectUserRequest {
    std::string room_identifier{};        // required, room ARN
    std::string user_id{};                // required, 1-128
    std::optional<std::string> reason{};  // 1-256

    Value to_value() const;
    static DisconnectUserRequest from_value(const Value& v);
};

struct DisconnectUserResponse {
    Value to_value() const;  // {}
};

}  // namespace parley::model
