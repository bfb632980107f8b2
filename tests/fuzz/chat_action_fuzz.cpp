// libFuzzer target for what a chat client sends (not part of the CMake build; see run.sh).
// ChatSession::on_text is bound to a socket, so this drives what it calls, the same way:
//  1. the payload goes through model::parse_json(payload, 8); the members on_text reads are
//     picked out as it does (case-insensitive names, null = absent) and fed to the frame
//     builders, whose JSON must parse back to exactly those strings;
//  2. the builders get arbitrary bytes and times as well: their output must be valid JSON
//     always (ill-formed UTF-8 turns into U+FFFD), equal to the input for valid UTF-8, and
//     SendTime must be RFC 3339 with 1-9 fraction digits and no trailing zero.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "messaging/chat_frames.hpp"
#include "messaging/client_request_fields.hpp"
#include "messaging/client_request_limits.hpp"
#include "messaging/utf8_validator.hpp"
#include "model/json_codec.hpp"

using namespace parley;
using model::Value;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// ---- reading frames back --------------------------------------------------------------------

Value parse_frame(const std::string& json) {
    auto parsed = model::parse_json(json);
    check(parsed.value.has_value() && parsed.value->kind() == Value::Kind::Structure);
    return std::move(*parsed.value);
}

const Value& get(const Value& obj, std::string_view name) {
    const Value* v = obj.find(name);
    check(v != nullptr);
    return *v;
}

// What a string must read back as: itself when it is valid UTF-8; otherwise anything valid
// (the JSON parser checked that) of at least one U+FFFD per bad byte run.
void check_string(const Value& v, std::string_view sent) {
    check(v.kind() == Value::Kind::String);
    if (messaging::is_valid_utf8(sent))
        check(v.as_string() == sent);
    else
        check(v.as_string().find("\xEF\xBF\xBD") != std::string::npos);
}

void check_map(const Value& v, const model::Attributes& sent) {
    check(v.is_object());
    if (std::all_of(sent.begin(), sent.end(), [](const auto& kv) {
            return messaging::is_valid_utf8(kv.first) && messaging::is_valid_utf8(kv.second);
        })) {
        check(v.members().size() == sent.size());
        for (const auto& [k, val] : v.members()) {
            auto it = sent.find(k);
            check(it != sent.end());
            check_string(val, it->second);
        }
    } else {
        // Keys that differed only in bad bytes may collapse into one after U+FFFD.
        check(v.members().size() <= sent.size());
        for (const auto& [k, val] : v.members()) check(val.kind() == Value::Kind::String);
    }
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// yyyy-mm-ddTHH:MM:SS[.f{1,9}]Z, the fraction without trailing zeros (Go's RFC3339Nano).
void check_send_time(const Value& v, std::int64_t ns) {
    check(v.kind() == Value::Kind::String);
    const std::string& t = v.as_string();
    check(t.size() >= 20 && t.back() == 'Z');
    std::size_t i = 0;
    while (i < t.size() && is_digit(t[i])) ++i;
    check(i >= 4);  // the year
    const std::string_view rest = std::string_view(t).substr(i);
    check(rest.size() >= 16 && rest[0] == '-' && rest[3] == '-' && rest[6] == 'T' &&
          rest[9] == ':' && rest[12] == ':');
    for (std::size_t k : {1, 2, 4, 5, 7, 8, 10, 11, 13, 14}) check(is_digit(rest[k]));
    const std::string_view frac = rest.substr(15, rest.size() - 16);
    const bool whole_second = ns % 1000000000 == 0;
    if (whole_second) {
        check(frac.empty());
    } else {
        check(frac.size() >= 2 && frac.size() <= 10 && frac[0] == '.' && frac.back() != '0');
        for (char c : frac.substr(1)) check(is_digit(c));
    }
}

void check_message(const messaging::ChatMessage& m) {
    const Value f = parse_frame(messaging::message_json(m));
    check(get(f, "Type").as_string() == "MESSAGE");
    check_string(get(f, "Id"), m.id);
    check_string(get(f, "RequestId"), m.request_id);
    if (m.attributes)
        check_map(get(f, "Attributes"), *m.attributes);
    else
        check(get(f, "Attributes").is_null());
    check_string(get(f, "Content"), m.content);
    check_send_time(get(f, "SendTime"), m.send_time_ns);
    const Value& sender = get(f, "Sender");
    check_string(get(sender, "UserId"), m.sender_user_id);
    check_map(get(sender, "Attributes"), m.sender_attributes);
}

void check_event(const messaging::ChatEvent& e) {
    const Value f = parse_frame(messaging::event_json(e));
    check(get(f, "Type").as_string() == "EVENT");
    check_string(get(f, "Id"), e.id);
    check_string(get(f, "RequestId"), e.request_id);
    check_string(get(f, "EventName"), e.event_name);
    check_map(get(f, "Attributes"), e.attributes);
    check_send_time(get(f, "SendTime"), e.send_time_ns);
}

void check_error(std::string_view id, std::string_view request_id, int code,
                 std::string_view message) {
    const Value f = parse_frame(messaging::error_json(id, request_id, code, message));
    check(get(f, "Type").as_string() == "ERROR");
    check_string(get(f, "Id"), id);
    check_string(get(f, "RequestId"), request_id);
    check(get(f, "ErrorCode").kind() == Value::Kind::Integer &&
          get(f, "ErrorCode").as_integer() == code);
    check_string(get(f, "ErrorMessage"), message);
}

// ---- 1. a payload as on_text handles it -----------------------------------------------------

void run_payload(std::string_view payload, std::int64_t now_ns) {
    auto shallow = model::parse_json(payload, 8);
    auto deep = model::parse_json(payload);
    if (shallow.value) {  // a depth limit only ever refuses more
        check(deep.value && model::to_json(*deep.value) == model::to_json(*shallow.value));
    } else {
        check(!shallow.error.empty());
    }
    if (!shallow.value || shallow.value->kind() != Value::Kind::Structure) return;
    const Value& req = *shallow.value;

    std::string request_id;
    if (const Value* rid = parley::messaging::request_member(req, "RequestId")) {
        if (rid->kind() != Value::Kind::String) return;
        // As on_text: past the bound only an ERROR without the RequestId goes out.
        if (!parley::messaging::within_length(rid->as_string(),
                                              parley::messaging::kMaxRequestIdLength))
            return;
        request_id = rid->as_string();
    }
    const std::string* action = parley::messaging::request_string(req, "Action");
    if (!action) return;
    if (*action == "SEND_MESSAGE") {
        const std::string* content = parley::messaging::request_string(req, "Content");
        if (!content) return;
        std::optional<model::Attributes> attributes;
        if (const Value* a = parley::messaging::request_member(req, "Attributes")) {
            if (!a->is_object()) return;
            attributes.emplace();
            for (const auto& [k, v] : a->members()) {
                if (v.kind() != Value::Kind::String) return;
                (*attributes)[k] = v.as_string();
            }
        }
        check_message({.id = "msgId0000001",
                       .request_id = request_id,
                       .attributes = attributes,
                       .content = *content,
                       .send_time_ns = now_ns,
                       .sender_user_id = "user",
                       .sender_attributes = {{"k", "v"}}});
    } else if (*action == "DELETE_MESSAGE" || *action == "DISCONNECT_USER") {
        const bool del = *action == "DELETE_MESSAGE";
        const std::string* who = parley::messaging::request_string(req, del ? "Id" : "UserId");
        if (!who || who->empty()) return;
        if (del ? !parley::messaging::is_message_id(*who)
                : !parley::messaging::within_length(*who, parley::messaging::kMaxUserIdLength))
            return;
        model::Attributes attrs;
        if (del)
            attrs = {{"MessageId", *who}, {"MessageID", *who}};
        else
            attrs = {{"UserId", *who}};
        if (const std::string* reason = parley::messaging::request_string(req, "Reason")) {
            if (!parley::messaging::within_length(*reason, parley::messaging::kMaxReasonLength))
                return;
            attrs["Reason"] = *reason;
        }
        check_event({.id = "evtId0000001",
                     .request_id = request_id,
                     .event_name = del ? "aws:DELETE_MESSAGE" : "aws:DISCONNECT_USER",
                     .attributes = attrs,
                     .send_time_ns = now_ns});
    } else {
        // As on_text answers an unknown action (a byte cut, so it may split a code point).
        check_error("errId0000001", request_id, 400,
                    "Unsupported Action: " + action->substr(0, 64));
    }
}

// ---- 2. the builders on arbitrary bytes -----------------------------------------------------

model::Attributes consume_map(FuzzedDataProvider& in) {
    model::Attributes m;
    const int n = in.ConsumeIntegralInRange(0, 4);
    for (int i = 0; i < n; ++i) {
        std::string k = in.ConsumeRandomLengthString(16);
        m[std::move(k)] = in.ConsumeRandomLengthString(32);
    }
    return m;
}

void run_builders(FuzzedDataProvider& in) {
    messaging::ChatMessage m;
    m.id = in.ConsumeRandomLengthString(16);
    m.request_id = in.ConsumeRandomLengthString(40);
    if (in.ConsumeBool()) m.attributes = consume_map(in);
    m.content = in.ConsumeRandomLengthString(600);
    m.send_time_ns = in.ConsumeIntegral<std::int64_t>();
    m.sender_user_id = in.ConsumeRandomLengthString(40);
    m.sender_attributes = consume_map(in);
    check_message(m);

    messaging::ChatEvent e;
    e.id = in.ConsumeRandomLengthString(16);
    e.request_id = in.ConsumeRandomLengthString(40);
    e.event_name = in.ConsumeRandomLengthString(100);
    e.attributes = consume_map(in);
    e.send_time_ns = in.ConsumeIntegral<std::int64_t>();
    check_event(e);

    const std::string id = in.ConsumeRandomLengthString(16);
    const std::string rid = in.ConsumeRandomLengthString(40);
    check_error(id, rid, in.ConsumeIntegral<int>(), in.ConsumeRemainingBytesAsString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    // A fixed, fraction-bearing time: the fuzzed ones are exercised in run_builders.
    run_payload(payload, 1669969280754555595);
    FuzzedDataProvider in(data, size);
    run_builders(in);
    return 0;
}
