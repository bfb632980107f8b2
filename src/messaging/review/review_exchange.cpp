#include "messaging/review/review_exchange.hpp"

#include "messaging/utf8_validator.hpp"
#include "model/json_codec.hpp"
#include "model/value.hpp"

namespace parley::messaging {

namespace {
using model::append_json_string;
using model::Value;

ReviewVerdict invalid(std::string problem) {
    ReviewVerdict v;
    v.kind = ReviewVerdict::Kind::Invalid;
    v.problem = std::move(problem);
    return v;
}
}  // namespace

std::string review_request_json(const ChatMessage& message, std::string_view room_arn,
                                std::string_view sender_ip) {
    std::string out;
    out.reserve(200 + message.content.size());
    out += R"({"Content":)";
    append_json_string(out, message.content);
    out += R"(,"MessageId":)";
    append_json_string(out, message.id);
    out += R"(,"RoomArn":)";
    append_json_string(out, room_arn);
    out += R"(,"Attributes":)";
    model::append_json_string_map(out, message.attributes.value_or(model::Attributes{}));
    out += R"(,"Sender":{"Attributes":)";
    model::append_json_string_map(out, message.sender_attributes);
    out += R"(,"UserId":)";
    append_json_string(out, message.sender_user_id);
    out += R"(,"Ip":)";
    append_json_string(out, sender_ip);
    out += "}}";
    return out;
}

ReviewVerdict parse_review_response(std::string_view body, int maximum_message_length,
                                    std::size_t max_attributes_bytes) {
    auto parsed = model::parse_json(body, 8);
    if (!parsed.value) return invalid("response is not JSON: " + parsed.error);
    const Value& doc = *parsed.value;
    if (!doc.is_object()) return invalid("response is not a JSON object");

    const Value* result = doc.find("ReviewResult");
    if (!result || result->kind() != Value::Kind::String)
        return invalid("ReviewResult is missing or not a string");

    std::optional<model::Attributes> attributes;
    if (const Value* a = doc.find("Attributes"); a && !a->is_null()) {
        if (!a->is_object()) return invalid("Attributes is not a map of strings");
        attributes.emplace();
        std::size_t bytes = 0;
        for (const auto& [k, v] : a->members()) {
            if (v.kind() != Value::Kind::String)
                return invalid("Attributes is not a map of strings");
            bytes += k.size() + v.as_string().size();
            (*attributes)[k] = v.as_string();
        }
        if (bytes > max_attributes_bytes) return invalid("Attributes exceed 1 KB");
    }

    ReviewVerdict verdict;
    if (result->as_string() == "DENY") {
        verdict.kind = ReviewVerdict::Kind::Deny;
        if (attributes) {
            auto r = attributes->find("Reason");
            if (r != attributes->end()) verdict.reason = r->second;
        }
        return verdict;
    }
    if (result->as_string() != "ALLOW")
        return invalid("ReviewResult must be ALLOW or DENY, got \"" +
                       std::string(utf8_prefix(result->as_string(), 32)) + "\"");

    const Value* content = doc.find("Content");
    if (!content || content->kind() != Value::Kind::String)
        return invalid("Content is missing or not a string");
    const std::string& text = content->as_string();
    if (!is_valid_utf8(text)) return invalid("Content is not valid UTF-8");
    auto length = utf8_code_points(text);
    if (length == 0) return invalid("Content is empty");
    if (maximum_message_length > 0 && length > static_cast<std::size_t>(maximum_message_length))
        return invalid("Content exceeds the room's maximumMessageLength");
    verdict.kind = ReviewVerdict::Kind::Allow;
    verdict.content = text;
    verdict.attributes = std::move(attributes);
    return verdict;
}

std::string denied_message_text(std::string_view reason) {
    std::string text = "Message rejected during message review";
    if (!reason.empty()) {
        text += ": ";
        text += utf8_prefix(reason, 256);
    }
    return text;
}

}  // namespace parley::messaging
