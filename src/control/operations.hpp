#pragma once
// One function per IVS Chat operation. Each reads its validated request from the input, does
// the work and returns the response body; failures are thrown as model::ApiError.
#include "control/control_context.hpp"
#include "model/value.hpp"

namespace parley::control::ops {

using model::Value;

Value create_chat_token(ControlContext&, const OperationInput&);

Value create_room(ControlContext&, const OperationInput&);
Value get_room(ControlContext&, const OperationInput&);
Value update_room(ControlContext&, const OperationInput&);
Value delete_room(ControlContext&, const OperationInput&);
Value list_rooms(ControlContext&, const OperationInput&);

Value create_logging_configuration(ControlContext&, const OperationInput&);
Value get_logging_configuration(ControlContext&, const OperationInput&);
Value update_logging_configuration(ControlContext&, const OperationInput&);
Value delete_logging_configuration(ControlContext&, const OperationInput&);
Value list_logging_configurations(ControlContext&, const OperationInput&);

Value list_tags_for_resource(ControlContext&, const OperationInput&);
Value tag_resource(ControlContext&, const OperationInput&);
Value untag_resource(ControlContext&, const OperationInput&);

Value send_event(ControlContext&, const OperationInput&);
Value delete_message(ControlContext&, const OperationInput&);
Value disconnect_user(ControlContext&, const OperationInput&);

// Extensions (docs/extensions.md).
Value list_room_messages(ControlContext&, const OperationInput&);
Value get_room_presence(ControlContext&, const OperationInput&);

// Shared lookups: the resource named by an ARN, or ResourceNotFoundException.
// From the catalog (no store access; read-through on a miss): tokens and live-room operations.
messaging::RoomPtr require_room(const ControlContext&, const std::string& arn);
// Current as of this moment: from the store when it is shared with other nodes, else the
// catalog (which then is the store's exact mirror). Get/Update/Delete and tag operations.
messaging::RoomPtr require_stored_room(const ControlContext&, const std::string& arn);
// After this node wrote (or deleted) room `id`: bring the catalog and live sessions up to date.
void room_written(ControlContext&, const model::Room& written);
void room_deleted(ControlContext&, const std::string& id);
model::LoggingConfiguration require_logging_configuration(const ControlContext&,
                                                          const std::string& arn);

}  // namespace parley::control::ops
