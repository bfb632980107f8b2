// libFuzzer target for control-plane request parsing (not part of the CMake build; see run.sh).
// Bytes are parsed as a JSON body and read as each of the 17 request shapes. Properties that must
// hold on any input: only model::ApiError (a 400 ValidationException) ever escapes a reader, its
// JSON body re-parses, and every request that was accepted survives to_json -> parse_json ->
// from_value unchanged. The JSON codec itself must round-trip every document it accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/api_error.hpp"
#include "model/chat_token_shapes.hpp"
#include "model/json_codec.hpp"
#include "model/logging_configuration_shapes.hpp"
#include "model/room_event_shapes.hpp"
#include "model/room_shapes.hpp"
#include "model/tag_shapes.hpp"

using namespace parley::model;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// Rejections must be well-formed ValidationExceptions whose body is valid JSON.
void check_rejection(const ApiError& e) {
    check(e.status() == 400 && e.type() == "ValidationException");
    check(parse_json(to_json(e.to_value())).value.has_value());
}

// An accepted request, written back out, must read back as the same request.
template <typename Shape>
void check_round_trip(const Shape& accepted) {
    const std::string first = to_json(accepted.to_value());
    auto reparsed = parse_json(first);
    check(reparsed.value.has_value());
    try {
        const Shape again = Shape::from_value(*reparsed.value);
        check(to_json(again.to_value()) == first);
    } catch (const ApiError&) {
        std::abort();  // what we wrote out must be accepted again
    }
}

template <typename Shape>
void read_as(const Value& body) {
    std::optional<Shape> accepted;
    try {
        accepted = Shape::from_value(body);
    } catch (const ApiError& e) {
        check_rejection(e);
    }
    if (accepted) check_round_trip(*accepted);
}

// The tag operations as the router calls them: ARN from the path, keys from the query.
std::string string_member(const Value& v, std::string_view name) {
    if (!v.is_object()) return {};
    const Value* m = v.find(name);
    return m && m->kind() == Value::Kind::String ? m->as_string() : std::string{};
}

std::vector<std::string> string_items(const Value& v, std::string_view name) {
    std::vector<std::string> out;
    if (!v.is_object()) return out;
    const Value* m = v.find(name);
    if (!m || m->kind() != Value::Kind::List) return out;
    for (const Value& e : m->as_list())
        if (e.kind() == Value::Kind::String) out.push_back(e.as_string());
    return out;
}

template <typename Shape, typename Make>
void read_parts(Make make) {
    std::optional<Shape> accepted;
    try {
        accepted = make();
    } catch (const ApiError& e) {
        check_rejection(e);
    }
    if (accepted) check_round_trip(*accepted);
}

void read_tag_parts(const Value* body, std::string_view raw) {
    // The path ARN is either the body's resourceArn or the raw bytes (the percent-decoded path
    // may hold anything).
    for (const std::string& arn :
         {body ? string_member(*body, "resourceArn") : std::string{}, std::string(raw)}) {
        read_parts<ListTagsForResourceRequest>(
            [&] { return ListTagsForResourceRequest::from_parts(arn); });
        read_parts<TagResourceRequest>([&] { return TagResourceRequest::from_parts(arn, body); });
        read_parts<UntagResourceRequest>([&] {
            return UntagResourceRequest::from_parts(
                arn, body ? string_items(*body, "tagKeys") : std::vector<std::string>{});
        });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = parse_json(text);
    if (!parsed.value) {
        check(!parsed.error.empty());
        read_tag_parts(nullptr, text);  // a request without a (valid) body
        return 0;
    }
    const Value& body = *parsed.value;

    // The codec: what it accepted, it writes as JSON that reads back identically.
    const std::string written = to_json(body);
    auto again = parse_json(written);
    check(again.value.has_value() && to_json(*again.value) == written);

    read_as<CreateChatTokenRequest>(body);
    read_as<CreateRoomRequest>(body);
    read_as<GetRoomRequest>(body);
    read_as<DeleteRoomRequest>(body);
    read_as<UpdateRoomRequest>(body);
    read_as<ListRoomsRequest>(body);
    read_as<CreateLoggingConfigurationRequest>(body);
    read_as<GetLoggingConfigurationRequest>(body);
    read_as<DeleteLoggingConfigurationRequest>(body);
    read_as<UpdateLoggingConfigurationRequest>(body);
    read_as<ListLoggingConfigurationsRequest>(body);
    read_as<SendEventRequest>(body);
    read_as<DeleteMessageRequest>(body);
    read_as<DisconnectUserRequest>(body);
    read_as<ListTagsForResourceRequest>(body);
    read_as<TagResourceRequest>(body);
    read_as<UntagResourceRequest>(body);
    read_tag_parts(&body, text);
    return 0;
}
