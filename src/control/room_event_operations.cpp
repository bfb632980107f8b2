#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/identifiers.hpp"
#include "model/room_event_shapes.hpp"

namespace parley::control::ops {

namespace {
// In a cluster whose bus is down the action would reach this node's clients only.
void require_live(const ControlContext& ctx) {
    if (ctx.live && !ctx.live->available())
        throw model::ApiError::internal("The chat bus is unavailable; try again");
}
}  // namespace

Value send_event(ControlContext& ctx, const OperationInput& in) {
    auto req = model::SendEventRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    require_live(ctx);
    model::SendEventResponse resp{.id = model::new_id()};
    if (ctx.live)
        ctx.live->send_event(room, resp.id, req.event_name,
                             req.attributes.value_or(model::Attributes{}));
    return resp.to_value();
}

Value delete_message(ControlContext& ctx, const OperationInput& in) {
    auto req = model::DeleteMessageRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    require_live(ctx);
    model::DeleteMessageResponse resp{.id = model::new_id()};
    if (ctx.live) ctx.live->delete_message(room, resp.id, req.id, req.reason.value_or(""));
    return resp.to_value();
}

Value disconnect_user(ControlContext& ctx, const OperationInput& in) {
    auto req = model::DisconnectUserRequest::from_value(in.body);
    auto room = require_room(ctx, req.room_identifier);
    require_live(ctx);
    if (ctx.live)
        ctx.live->disconnect_user(room, model::new_id(), req.user_id, req.reason.value_or(""));
    return Value::structure();
}

}  // namespace parley::control::ops
