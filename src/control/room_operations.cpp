#include <algorithm>
#include <mutex>

#include "control/operations.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/resource_codec.hpp"
#include "model/room_shapes.hpp"

namespace parley::control::ops {

using model::ApiError;

namespace {
// Every named logging configuration must exist (spec: unknown ARN -> ResourceNotFound).
void require_logging_configurations(const ControlContext& ctx,
                                    const std::vector<std::string>& arns) {
    for (const auto& arn : arns) require_logging_configuration(ctx, arn);
}

ApiError room_quota_exceeded(const ControlContext& ctx) {
    return ApiError::quota_exceeded("Maximum number of rooms reached", "", "ROOM",
                                    static_cast<int>(ctx.settings.max_rooms));
}

bool newer_first(const messaging::RoomPtr& a, const messaging::RoomPtr& b) {
    if (a->update_time != b->update_time) return a->update_time > b->update_time;
    return a->id < b->id;
}
}  // namespace

Value create_room(ControlContext& ctx, const OperationInput& in) {
    auto req = model::CreateRoomRequest::from_value(in.body);
    auto lock = ctx.local_write_lock();
    // A quick answer from the catalog; the store checks the quota again, atomically.
    if (ctx.rooms.size() >= ctx.settings.max_rooms) throw room_quota_exceeded(ctx);
    if (req.logging_configuration_identifiers)
        require_logging_configurations(ctx, *req.logging_configuration_identifiers);

    model::Room room;
    room.id = model::new_id();
    room.arn = model::room_arn(ctx.settings.region, ctx.settings.account_id, room.id);
    room.name = req.name.value_or("");
    room.create_time = room.update_time = model::now_millis();
    room.maximum_message_length =
        req.maximum_message_length.value_or(model::kDefaultMaximumMessageLength);
    room.maximum_message_rate_per_second =
        req.maximum_message_rate_per_second.value_or(model::kDefaultMaximumMessageRatePerSecond);
    if (req.message_review_handler && !req.message_review_handler->uri.empty())
        room.message_review_handler = req.message_review_handler;
    room.logging_configuration_identifiers =
        req.logging_configuration_identifiers.value_or(std::vector<std::string>{});
    room.tags = req.tags.value_or(model::Tags{});

    if (ctx.store.insert_room_within_quota(room, ctx.settings.max_rooms) ==
        store::InsertOutcome::QuotaExceeded)
        throw room_quota_exceeded(ctx);
    room_written(ctx, room);
    return model::room_to_value(room);
}

Value get_room(ControlContext& ctx, const OperationInput& in) {
    auto req = model::GetRoomRequest::from_value(in.body);
    return model::room_to_value(*require_stored_room(ctx, req.identifier));
}

Value update_room(ControlContext& ctx, const OperationInput& in) {
    auto req = model::UpdateRoomRequest::from_value(in.body);
    auto lock = ctx.local_write_lock();
    auto current = require_stored_room(ctx, req.identifier);
    if (req.logging_configuration_identifiers)
        require_logging_configurations(ctx, *req.logging_configuration_identifiers);
    // Read, change and write in one store transaction: concurrent updates on other nodes
    // are applied one after the other, none is lost.
    auto updated = ctx.store.modify_room(current->id, [&](model::Room& room) {
        req.apply_to(room);
        room.update_time = std::max(model::now_millis(), room.update_time + 1);
    });
    if (!updated) throw ApiError::not_found(current->id, "ROOM");
    room_written(ctx, *updated);
    return model::room_to_value(*updated);
}

Value delete_room(ControlContext& ctx, const OperationInput& in) {
    auto req = model::DeleteRoomRequest::from_value(in.body);
    auto lock = ctx.local_write_lock();
    auto room = require_stored_room(ctx, req.identifier);
    ctx.store.delete_room(room->id);
    room_deleted(ctx, room->id);
    return Value();
}

Value list_rooms(ControlContext& ctx, const OperationInput& in) {
    auto req = model::ListRoomsRequest::from_value(in.body);
    std::string filters = req.name.value_or("") + '\n' +
                          req.message_review_handler_uri.value_or("") + '\n' +
                          req.logging_configuration_identifier.value_or("");
    std::optional<PageCursor> cursor;
    if (req.next_token && !req.next_token->empty()) {
        cursor = ctx.page_tokens.decode(*req.next_token, filters);
        if (!cursor) throw ApiError::validation("The nextToken is not valid for this request");
    }
    std::size_t max = static_cast<std::size_t>(req.max_results.value_or(50));
    model::ListRoomsResponse resp;

    // A shared store is asked for the page itself: the catalog may lag another node's write by
    // the time its notification takes to arrive, and a page is one indexed query there.
    if (ctx.sync) {
        store::RoomPageQuery query{
            .name = req.name,
            .review_handler_uri = req.message_review_handler_uri,
            .logging_configuration_arn = req.logging_configuration_identifier,
            .after = std::nullopt,
            .limit = max + 1};  // one more: is there a next page?
        if (cursor) query.after = std::make_pair(cursor->update_time, cursor->id);
        auto page = ctx.store.list_rooms_page(query);
        const bool more = page.size() > max;
        if (more) page.resize(max);
        resp.rooms = std::move(page);
        if (more && !resp.rooms.empty())
            resp.next_token = ctx.page_tokens.encode(
                {resp.rooms.back().update_time, resp.rooms.back().id}, filters);
        return resp.to_value();
    }

    auto rooms = ctx.rooms.snapshot();
    std::erase_if(rooms, [&](const messaging::RoomPtr& r) {
        if (req.name && r->name != *req.name) return true;
        if (req.message_review_handler_uri &&
            (r->message_review_handler ? r->message_review_handler->uri : std::string()) !=
                *req.message_review_handler_uri)
            return true;
        if (req.logging_configuration_identifier) {
            const auto& l = r->logging_configuration_identifiers;
            if (std::find(l.begin(), l.end(), *req.logging_configuration_identifier) == l.end())
                return true;
        }
        return false;
    });
    std::sort(rooms.begin(), rooms.end(), newer_first);

    auto begin = rooms.begin();
    if (cursor) {
        model::Room probe;
        probe.update_time = cursor->update_time;
        probe.id = cursor->id;
        auto probe_ptr = std::make_shared<const model::Room>(probe);
        begin = std::upper_bound(rooms.begin(), rooms.end(), probe_ptr, newer_first);
    }
    for (auto it = begin; it != rooms.end() && resp.rooms.size() < max; ++it)
        resp.rooms.push_back(**it);
    if (!resp.rooms.empty() &&
        begin + static_cast<std::ptrdiff_t>(resp.rooms.size()) != rooms.end())
        resp.next_token =
            ctx.page_tokens.encode({resp.rooms.back().update_time, resp.rooms.back().id}, filters);
    return resp.to_value();
}

}  // namespace parley::control::ops
