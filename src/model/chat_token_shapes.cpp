#include "model/chat_token_shapes.hpp"

#include "model/clock_format.hpp"
#include "model/patterns.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

Value CreateChatTokenRequest::to_value() const {
    Value v = Value::structure();
    v.set("roomIdentifier", room_identifier);
    v.set("userId", user_id);
    if (capabilities) v.set("capabilities", Value::string_list(*capabilities));
    if (session_duration_in_minutes)
        v.set("sessionDurationInMinutes", *session_duration_in_minutes);
    if (attributes) v.set("attributes", Value::string_map(*attributes));
    return v;
}

CreateChatTokenRequest CreateChatTokenRequest::from_value(const Value& v) {
    ShapeReader r(v);
    CreateChatTokenRequest out;
    out.room_identifier = r.string("roomIdentifier", {.required = true,
                                                      .min_length = 1,
                                                      .max_length = 128,
                                                      .pattern = is_room_arn,
                                                      .pattern_text = "room ARN"})
                              .value_or("");
    out.user_id =
        r.string("userId", {.required = true, .min_length = 1, .max_length = 128}).value_or("");
    out.capabilities = r.enum_list("capabilities", kChatTokenCapabilities);
    if (auto d = r.integer("sessionDurationInMinutes", {.min = 1, .max = 180}))
        out.session_duration_in_minutes = static_cast<int>(*d);
    out.attributes = r.string_map("attributes", {.max_total_bytes = kMaxAttributesBytes});
    r.finish();
    return out;
}

Value CreateChatTokenResponse::to_value() const {
    Value v = Value::structure();
    v.set("token", token);
    v.set("tokenExpirationTime", format_iso8601_millis(token_expiration_time));
    v.set("sessionExpirationTime", format_iso8601_millis(session_expiration_time));
    return v;
}

}  // namespace parley::model
