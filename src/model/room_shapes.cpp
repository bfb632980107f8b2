#include "model/room_shapes.hpp"

#include "model/field_rules.hpp"
#include "model/resource_codec.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
// The nested MessageReviewHandler; its field errors join the request's list
// ("messageReviewHandler.uri").
std::optional<MessageReviewHandler> read_handler(ShapeReader& r) {
    const Value* v = r.structure("messageReviewHandler");
    if (!v) return std::nullopt;
    ShapeReader nested(*v, "messageReviewHandler");
    MessageReviewHandler handler;
    handler.uri = nested.string("uri", kLambdaArnRule).value_or("");
    handler.fallback_result =
        nested.enumeration("fallbackResult", kFallbackResults).value_or("ALLOW");
    if (nested.ok()) return handler;
    for (auto& e : nested.errors()) r.errors().push_back(std::move(e));
    return std::nullopt;
}

std::optional<int> read_int(ShapeReader& r, std::string_view name, const IntegerRule& rule) {
    if (auto i = r.integer(name, rule)) return static_cast<int>(*i);
    return std::nullopt;
}

std::optional<std::vector<std::string>> read_logging_identifiers(ShapeReader& r) {
    return r.string_list("loggingConfigurationIdentifiers", kLoggingConfigurationArnRule,
                         kMaxLoggingConfigurationsPerRoom);
}

// A handler named with uri "" means "no handler" (the way UpdateRoom disassociates one).
std::optional<MessageReviewHandler> effective_handler(const MessageReviewHandler& h) {
    if (h.uri.empty()) return std::nullopt;
    return h;
}

void set_optional(Value& v, std::string name, const std::optional<std::string>& s) {
    if (s) v.set(std::move(name), *s);
}
void set_optional(Value& v, std::string name, const std::optional<int>& i) {
    if (i) v.set(std::move(name), *i);
}
}  // namespace

// ---- CreateRoom ----

Value CreateRoomRequest::to_value() const {
    Value v = Value::structure();
    set_optional(v, "name", name);
    set_optional(v, "maximumMessageRatePerSecond", maximum_message_rate_per_second);
    set_optional(v, "maximumMessageLength", maximum_message_length);
    if (message_review_handler)
        v.set("messageReviewHandler", message_review_handler_to_value(*message_review_handler));
    if (tags) v.set("tags", Value::string_map(*tags));
    if (logging_configuration_identifiers)
        v.set("loggingConfigurationIdentifiers",
              Value::string_list(*logging_configuration_identifiers));
    return v;
}

CreateRoomRequest CreateRoomRequest::from_value(const Value& v) {
    ShapeReader r(v);
    CreateRoomRequest out;
    out.name = r.string("name", kResourceNameRule);
    out.maximum_message_rate_per_second =
        read_int(r, "maximumMessageRatePerSecond", kMaximumMessageRateRule);
    out.maximum_message_length = read_int(r, "maximumMessageLength", kMaximumMessageLengthRule);
    out.message_review_handler = read_handler(r);
    out.tags = r.string_map("tags", kTagsRule);
    out.logging_configuration_identifiers = read_logging_identifiers(r);
    r.finish();
    return out;
}

void CreateRoomRequest::apply_to(Room& room) const {
    if (name) room.name = *name;
    if (maximum_message_rate_per_second)
        room.maximum_message_rate_per_second = *maximum_message_rate_per_second;
    if (maximum_message_length) room.maximum_message_length = *maximum_message_length;
    if (message_review_handler)
        room.message_review_handler = effective_handler(*message_review_handler);
    if (tags) room.tags = *tags;
    if (logging_configuration_identifiers)
        room.logging_configuration_identifiers = *logging_configuration_identifiers;
}

// ---- GetRoom / DeleteRoom ----

Value GetRoomRequest::to_value() const {
    return Value::structure({{"identifier", identifier}});
}

GetRoomRequest GetRoomRequest::from_value(const Value& v) {
    ShapeReader r(v);
    GetRoomRequest out;
    out.identifier = r.string("identifier", as_required(kRoomArnRule)).value_or("");
    r.finish();
    return out;
}

Value DeleteRoomRequest::to_value() const {
    return Value::structure({{"identifier", identifier}});
}

DeleteRoomRequest DeleteRoomRequest::from_value(const Value& v) {
    ShapeReader r(v);
    DeleteRoomRequest out;
    out.identifier = r.string("identifier", as_required(kRoomArnRule)).value_or("");
    r.finish();
    return out;
}

// ---- UpdateRoom ----

Value UpdateRoomRequest::to_value() const {
    Value v = Value::structure();
    v.set("identifier", identifier);
    set_optional(v, "name", name);
    set_optional(v, "maximumMessageRatePerSecond", maximum_message_rate_per_second);
    set_optional(v, "maximumMessageLength", maximum_message_length);
    if (message_review_handler)
        v.set("messageReviewHandler", message_review_handler_to_value(*message_review_handler));
    if (logging_configuration_identifiers)
        v.set("loggingConfigurationIdentifiers",
              Value::string_list(*logging_configuration_identifiers));
    return v;
}

UpdateRoomRequest UpdateRoomRequest::from_value(const Value& v) {
    ShapeReader r(v);
    UpdateRoomRequest out;
    out.identifier = r.string("identifier", as_required(kRoomArnRule)).value_or("");
    out.name = r.string("name", kResourceNameRule);
    out.maximum_message_rate_per_second =
        read_int(r, "maximumMessageRatePerSecond", kMaximumMessageRateRule);
    out.maximum_message_length = read_int(r, "maximumMessageLength", kMaximumMessageLengthRule);
    out.message_review_handler = read_handler(r);
    out.logging_configuration_identifiers = read_logging_identifiers(r);
    r.finish();
    return out;
}

void UpdateRoomRequest::apply_to(Room& room) const {
    if (name) room.name = *name;
    if (maximum_message_rate_per_second)
        room.maximum_message_rate_per_second = *maximum_message_rate_per_second;
    if (maximum_message_length) room.maximum_message_length = *maximum_message_length;
    if (message_review_handler)
        room.message_review_handler = effective_handler(*message_review_handler);
    if (logging_configuration_identifiers)
        room.logging_configuration_identifiers = *logging_configuration_identifiers;
}

// ---- ListRooms ----

Value ListRoomsRequest::to_value() const {
    Value v = Value::structure();
    set_optional(v, "name", name);
    set_optional(v, "nextToken", next_token);
    set_optional(v, "maxResults", max_results);
    set_optional(v, "messageReviewHandlerUri", message_review_handler_uri);
    set_optional(v, "loggingConfigurationIdentifier", logging_configuration_identifier);
    return v;
}

ListRoomsRequest ListRoomsRequest::from_value(const Value& v) {
    ShapeReader r(v);
    ListRoomsRequest out;
    out.name = r.string("name", kResourceNameRule);
    out.next_token = r.string("nextToken", kNextTokenRule);
    out.max_results = read_int(r, "maxResults", kMaxResultsRule);
    out.message_review_handler_uri = r.string("messageReviewHandlerUri", kLambdaArnRule);
    out.logging_configuration_identifier =
        r.string("loggingConfigurationIdentifier", kLoggingConfigurationArnRule);
    r.finish();
    return out;
}

Value ListRoomsResponse::to_value() const {
    List items;
    items.reserve(rooms.size());
    for (const auto& room : rooms) items.push_back(room_summary_to_value(room));
    Value v = Value::structure();
    v.set("rooms", Value(std::move(items)));
    set_optional(v, "nextToken", next_token);
    return v;
}

}  // namespace parley::model
