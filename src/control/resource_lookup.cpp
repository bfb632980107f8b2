#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/identifiers.hpp"

namespace parley::control::ops {

using model::ApiError;

messaging::RoomPtr require_room(const ControlContext& ctx, const std::string& arn) {
    auto parts = model::parse_arn(arn);
    if (!parts || parts->resource_type != "room") throw ApiError::not_found(arn, "ROOM");
    auto room = ctx.rooms.find(parts->id);
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

}  // namespace parley::control::ops
