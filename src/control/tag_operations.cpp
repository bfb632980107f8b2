#include <mutex>

#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/identifiers.hpp"
#include "model/tag_shapes.hpp"

namespace parley::control::ops {

using model::ApiError;

namespace {
constexpr std::size_t kMaxTags = 50;

// Applies `change` to the tags of the room or logging configuration named by `arn`.
template <typename Change>
void change_tags(ControlContext& ctx, const std::string& arn, Change change) {
    auto lock = ctx.local_write_lock();
    auto parts = model::parse_arn(arn);
    // Read-modify-write inside one store transaction: concurrent tag changes on other nodes
    // are applied one after the other, and the 50-tag limit holds for the merged result.
    if (parts && parts->resource_type == "room") {
        auto room = require_stored_room(ctx, arn);
        auto written = ctx.store.modify_room(room->id, [&](model::Room& r) { change(r.tags); });
        if (!written) throw ApiError::not_found(room->id, "ROOM");
        room_written(ctx, *written);
    } else {
        auto lc = require_logging_configuration(ctx, arn);
        auto written = ctx.store.modify_logging_configuration(
            lc.id, [&](model::LoggingConfiguration& c) { change(c.tags); });
        if (!written) throw ApiError::not_found(lc.id, "LOGGING_CONFIGURATION");
    }
}
}  // namespace

Value list_tags_for_resource(ControlContext& ctx, const OperationInput& in) {
    auto req = model::ListTagsForResourceRequest::from_parts(in.resource_arn);
    auto parts = model::parse_arn(req.resource_arn);
    model::ListTagsForResourceResponse resp;
    if (parts && parts->resource_type == "room")
        resp.tags = require_stored_room(ctx, req.resource_arn)->tags;
    else
        resp.tags = require_logging_configuration(ctx, req.resource_arn).tags;
    return resp.to_value();
}

Value tag_resource(ControlContext& ctx, const OperationInput& in) {
    auto req = model::TagResourceRequest::from_parts(in.resource_arn, &in.body);
    change_tags(ctx, req.resource_arn, [&](model::Tags& tags) {
        model::Tags merged = tags;
        for (const auto& [k, v] : req.tags) merged[k] = v;
        if (merged.size() > kMaxTags)
            throw ApiError::validation("A resource can have at most 50 tags");
        tags = std::move(merged);
    });
    return Value::structure();
}

Value untag_resource(ControlContext& ctx, const OperationInput& in) {
    auto req = model::UntagResourceRequest::from_parts(in.resource_arn, in.tag_keys);
    change_tags(ctx, req.resource_arn, [&](model::Tags& tags) {
        for (const auto& k : req.tag_keys) tags.erase(k);
    });
    return Value::structure();
}

}  // namespace parley::control::ops
