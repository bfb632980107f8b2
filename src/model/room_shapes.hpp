#pragma once
// Room operations' requests and the ListRooms response (CreateRoom, GetRoom, DeleteRoom,
// UpdateRoom, ListRooms). Create/Get/Update answer with room_to_value(room) from
// resource_codec.hpp, so they need no response type of their own.
#include <optional>
#include <string>
#include <vector>

#include "model/resources.hpp"
#include "model/value.hpp"

namespace parley::model {

struct CreateRoomRequest {
    std::optional<std::string> name{};                             // 0-128 [a-zA-Z0-9-_]*
    std::optional<int> maximum_message_rate_per_second{};          // 1-100, default 10
    std::optional<int> maximum_message_length{};                   // 1-500, default 500
    std::optional<MessageReviewHandler> message_review_handler{};  // uri "" means none
    std::optional<Tags> tags{};                                    // <= 50
    std::optional<std::vector<std::string>> logging_configuration_identifiers{};  // 0-3 ARNs

    Value to_value() const;
    static CreateRoomRequest from_value(const Value& v);
    // Fills the members the request gives into a room the caller has minted (id, arn, times);
    // a handler whose uri is empty leaves the room without one.
    void apply_to(Room& room) const;
};

struct GetRoomRequest {
    std::string identifier{};  // required, room ARN

    Value to_value() const;
    static GetRoomRequest from_value(const Value& v);
};

struct DeleteRoomRequest {
    std::string identifier{};  // required, room ARN

    Value to_value() const;
    static DeleteRoomRequest from_value(const Value& v);
};

struct UpdateRoomRequest {
    std::string identifier{};  // required, room ARN
    std::optional<std::string> name{};
    std::optional<int> maximum_message_rate_per_second{};
    std::optional<int> maximum_message_length{};
    std::optional<MessageReviewHandler> message_review_handler{};
    std::optional<std::vector<std::string>> logging_configuration_identifiers{};

    Value to_value() const;
    static UpdateRoomRequest from_value(const Value& v);
    // Changes only the members the request names: the identifier list is replaced as a whole
    // ([] clears it), a handler with uri "" removes the handler. update_time is the caller's.
    void apply_to(Room& room) const;
};

struct ListRoomsRequest {
    std::optional<std::string> name{};                              // exact-name filter
    std::optional<std::string> next_token{};                        // 0-1024, opaque
    std::optional<int> max_results{};                               // 1-50, default 50
    std::optional<std::string> message_review_handler_uri{};        // filter
    std::optional<std::string> logging_configuration_identifier{};  // filter, ARN

    Value to_value() const;
    static ListRoomsRequest from_value(const Value& v);
};

struct ListRoomsResponse {
    std::vector<Room> rooms{};  // written as RoomSummary items
    std::optional<std::string> next_token{};

    Value to_value() const;
};

}  // namespace parley::model
