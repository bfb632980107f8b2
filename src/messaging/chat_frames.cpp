#include "messaging/chat_frames.hpp"

#include "messaging/ws_frame_encoder.hpp"
#include "model/clock_format.hpp"
#include "model/json_codec.hpp"

namespace parley::messaging {

namespace {
using model::append_json_string;

}  // namespace

std::string message_json(const ChatMessage& m) {
    std::string out;
    out.reserve(160 + m.content.size());
    out += R"({"Type":"MESSAGE","Id":)";
    append_json_string(out, m.id);
    out += R"(,"RequestId":)";
    append_json_string(out, m.request_id);
    out += R"(,"Attributes":)";
    if (m.attributes)
        model::append_json_string_map(out, *m.attributes);
    else
        out += "null";
    out += R"(,"Content":)";
    append_json_string(out, m.content);
    out += R"(,"SendTime":)";
    append_json_string(out, model::format_rfc3339_nanos(m.send_time_ns));
    out += R"(,"Sender":{"UserId":)";
    append_json_string(out, m.sender_user_id);
    out += R"(,"Attributes":)";
    model::append_json_string_map(out, m.sender_attributes);
    out += "}}";
    return out;
}

std::string event_json(const ChatEvent& e) {
    std::string out;
    out.reserve(160);
    out += R"({"Type":"EVENT","Id":)";
    append_json_string(out, e.id);
    out += R"(,"RequestId":)";
    append_json_string(out, e.request_id);
    out += R"(,"EventName":)";
    append_json_string(out, e.event_name);
    out += R"(,"Attributes":)";
    model::append_json_string_map(out, e.attributes);
    out += R"(,"SendTime":)";
    append_json_string(out, model::format_rfc3339_nanos(e.send_time_ns));
    out += '}';
    return out;
}

std::string error_json(std::string_view id, std::string_view request_id, int code,
                       std::string_view message) {
    std::string out = R"({"Type":"ERROR","Id":)";
    append_json_string(out, id);
    out += R"(,"RequestId":)";
    append_json_string(out, request_id);
    out += R"(,"ErrorCode":)";
    out += std::to_string(code);
    out += R"(,"ErrorMessage":)";
    append_json_string(out, message);
    out += '}';
    return out;
}

SharedFrame text_frame(std::string_view json) {
    return std::make_shared<const std::string>(encode_frame(Opcode::Text, json));
}

}  // namespace parley::messaging
