#include <spdlog/spdlog.h>

#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/identifiers.hpp"

namespace parley::control::ops {

using model::ApiError;

messaging::RoomPtr require_room(const ControlContext& ctx, const std::string& arn) {
    auto parts = model::parse_arn(arn);
    if (!parts || parts->resource_type != "room") throw ApiError::not_found(arn, "ROOM");
    auto room = ctx.rooms.find_or_load(parts->id);
    // The ARN must match exactly: another region or account names another room.
    if (!room || room->arn != arn) throw ApiError::not_found(parts->id, "ROOM");
    return room;
}

messaging::RoomPtr require_stored_room(const ControlContext& ctx, const std::string& arn) {
    auto parts = model::parse_arn(arn);
    if (!parts || parts->resource_type != "room") throw ApiError::not_found(arn, "ROOM");
    auto room = ctx.sync ? ctx.sync->refresh(parts->id) : ctx.rooms.find(parts->id);
    // The ARN must match exactly: another region or account names another room.
    if (!room || room->arn != arn) throw ApiError::not_found(parts->id, "ROOM");
    return room;
}

model::LoggingConfiguration require_logging_configuration(const ControlContext& ctx,
                                                          const std::string& arn) {
    auto parts = model::parse_arn(arn);
    if (!parts || parts->resource_type != "logging-configuration")
        throw ApiError::not_found(arn, "LOGGING_CONFIGURATION");
    auto lc = ctx.store.find_logging_configuration(parts->id);
    if (!lc || lc->arn != arn) throw ApiError::not_found(parts->id, "LOGGING_CONFIGURATION");
    return *lc;
}

void room_written(ControlContext& ctx, const model::Room& written) {
    if (ctx.sync) {
        try {
            ctx.sync->refresh(written.id);
            return;
        } catch (const std::exception& e) {
            // Committed, but the store went away just after: serve what was written; the
            // change feed rereads everything when it reconnects.
            spdlog::warn("room {} written, but rereading it failed: {}", written.id, e.what());
        }
    }
    const bool existed = ctx.rooms.find(written.id) != nullptr;
    ctx.rooms.put(written);
    if (existed && ctx.live) ctx.live->room_updated(ctx.rooms.find(written.id));
}

void room_deleted(ControlContext& ctx, const std::string& id) {
    if (ctx.sync) {
        try {
            ctx.sync->refresh(id);
            return;
        } catch (const std::exception& e) {
            spdlog::warn("room {} deleted, but rereading it failed: {}", id, e.what());
        }
    }
    ctx.rooms.erase(id);
    if (ctx.live) ctx.live->room_deleted(id);
}

}  // namespace parley::control::ops
