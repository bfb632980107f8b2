#include "model/room_event_shapes.hpp"

#include "model/chat_token_shapes.hpp"
#include "model/field_rules.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
constexpr StringRule kEventNameRule{.required = true, .min_length = 1, .max_length = 100};
constexpr StringRule kMessageIdRule{.required = true,
                                    .min_length = 12,
                                    .max_length = 12,
                                    .pattern = is_alnum_id,
                                    .pattern_text = "[a-zA-Z0-9]+"};

std::string read_room_identifier(ShapeReader& r) {
    return r.string("roomIdentifier", as_required(kRoomArnRule)).value_or("");
}
}  // namespace

// ---- SendEvent ----

Value SendEventRequest::to_value() const {
    Value v = Value::structure();
    v.set("roomIdentifier", room_identifier);
    v.set("eventName", event_name);
    if (attributes) v.set("attributes", Value::string_map(*attributes));
    return v;
}

SendEventRequest SendEventRequest::from_value(const Value& v) {
    ShapeReader r(v);
    SendEventRequest out;
    out.room_identifier = read_room_identifier(r);
    out.event_name = r.string("eventName", kEventNameRule).value_or("");
    out.attributes = r.string_map("attributes", {.max_total_bytes = kMaxAttributesBytes});
    r.finish();
    return out;
}

Value SendEventResponse::to_value() const {
    return Value::structure({{"id", id}});
}

// ---- DeleteMessage ----

Value DeleteMessageRequest::to_value() const {
    Value v = Value::structure();
    v.set("roomIdentifier", room_identifier);
    v.set("id", id);
    if (reason) v.set("reason", *reason);
    return v;
}

DeleteMessageRequest DeleteMessageRequest::from_value(const Value& v) {
    ShapeReader r(v);
    DeleteMessageRequest out;
    out.room_identifier = read_room_identifier(r);
    out.id = r.string("id", kMessageIdRule).value_or("");
    out.reason = r.string("reason", kReasonRule);
    r.finish();
    return out;
}

Value DeleteMessageResponse::to_value() const {
    return Value::structure({{"id", id}});
}

// ---- DisconnectUser ----

Value DisconnectUserRequest::to_value() const {
    Value v = Value::structure();
    v.set("roomIdentifier", room_identifier);
    v.set("userId", user_id);
    if (reason) v.set("reason", *reason);
    return v;
}

DisconnectUserRequest DisconnectUserRequest::from_value(const Value& v) {
    ShapeReader r(v);
    DisconnectUserRequest out;
    out.room_identifier = read_room_identifier(r);
    out.user_id = r.string("userId", kUserIdRule).value_or("");
    out.reason = r.string("reason", kReasonRule);
    r.finish();
    return out;
}

Value DisconnectUserResponse::to_value() const {
    return Value::structure();
}

}  // namespace parley::model
