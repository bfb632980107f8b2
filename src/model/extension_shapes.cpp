#include "model/extension_shapes.hpp"

#include "model/clock_format.hpp"
#include "model/field_rules.hpp"
#include "model/shape_reader.hpp"

namespace parley::model {

namespace {
constexpr IntegerRule kExtensionMaxResultsRule{.min = 1, .max = 100};
constexpr StringRule kExtensionTimestampRule{.min_length = 20, .max_length = 40};

std::optional<std::int64_t> read_extension_time(ShapeReader& r, std::string_view name) {
    auto text = r.string(name, kExtensionTimestampRule);
    if (!text) return std::nullopt;
    auto ns = parse_iso8601_nanos(*text);
    if (!ns) r.fail(name, "must be an ISO 8601 timestamp such as 2026-01-31T12:00:00Z");
    return ns;
}

std::optional<int> read_extension_max_results(ShapeReader& r) {
    if (auto i = r.integer("maxResults", kExtensionMaxResultsRule)) return static_cast<int>(*i);
    return std::nullopt;
}
}  // namespace

ListRoomMessagesRequest ListRoomMessagesRequest::from_value(const Value& v) {
    ShapeReader r(v);
    ListRoomMessagesRequest out;
    out.room_identifier = r.string("roomIdentifier", as_required(kRoomArnRule)).value_or("");
    out.max_results = read_extension_max_results(r);
    out.next_token = r.string("nextToken", kNextTokenRule);
    out.start_time_ns = read_extension_time(r, "startTime");
    out.end_time_ns = read_extension_time(r, "endTime");
    if (out.start_time_ns && out.end_time_ns && *out.start_time_ns > *out.end_time_ns)
        r.fail("endTime", "must not be before startTime");
    r.finish();
    return out;
}

GetRoomPresenceRequest GetRoomPresenceRequest::from_value(const Value& v) {
    ShapeReader r(v);
    GetRoomPresenceRequest out;
    out.room_identifier = r.string("roomIdentifier", as_required(kRoomArnRule)).value_or("");
    out.max_results = read_extension_max_results(r);
    out.next_token = r.string("nextToken", kNextTokenRule);
    r.finish();
    return out;
}

}  // namespace parley::model
