// ChatSession's client actions (SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER): checks, then
// the publish through the hub. The handshake, reading and writing stay in chat_session.cpp.
#include <boost/asio/post.hpp>

#include "messaging/chat_session.hpp"
#include "messaging/client_request_fields.hpp"
#include "messaging/client_request_limits.hpp"
#include "messaging/message_reviewer.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/utf8_validator.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/json_codec.hpp"

namespace parley::messaging {

namespace asio = boost::asio;
using model::Value;

RoomPtr ChatSession::current_room() {
    auto room = ctx_.rooms.find(room_id_);
    if (!room) {
        send_error(model::new_id(), "", 404, "Room not found");
        close_after_flush(1000, "Room deleted");
    }
    return room;
}

PublishFailed ChatSession::report_failure(std::string id, std::string request_id) {
    return [self = ref(), id = std::move(id), request_id = std::move(request_id)](int code) {
        asio::post(self->executor(), [self, id, request_id, code] {
            if (self->state_ != State::Open) return;
            self->send_error(id, request_id, code,
                             code == 429 ? "rate limit exceeded" : "Internal server error");
        });
    };
}

void ChatSession::on_text(std::string& payload) {
    auto parsed = model::parse_json(payload, 8);
    if (!parsed.value || parsed.value->kind() != Value::Kind::Structure)
        return send_error(model::new_id(), "", 400, "Request must be a JSON object");
    const Value& req = *parsed.value;

    std::string request_id;
    if (const Value* rid = request_member(req, "RequestId")) {
        if (rid->kind() != Value::Kind::String)
            return send_error(model::new_id(), "", 400, "RequestId must be a string");
        // Not echoed: it is the oversized member (and so not something a client waits for).
        if (auto e = length_error("RequestId", rid->as_string(), kMaxRequestIdLength); !e.empty())
            return send_error(model::new_id(), "", 400, e);
        request_id = rid->as_string();
    }
    if (!request_rate_.try_take(ctx_.settings.requests_per_connection_per_second,
                                model::now_nanos()))
        return send_error(model::new_id(), request_id, 429, "rate limit exceeded");

    const std::string* action = request_string(req, "Action");
    if (!action) return send_error(model::new_id(), request_id, 400, "Action is required");
    if (*action == "SEND_MESSAGE") return on_send_message(req, request_id);
    if (*action == "DELETE_MESSAGE") return on_delete_message(req, request_id);
    if (*action == "DISCONNECT_USER") return on_disconnect_user(req, request_id);
    send_error(model::new_id(), request_id, 400,
               "Unsupported Action: " + std::string(utf8_prefix(*action, 64)));
}

void ChatSession::on_send_message(const Value& req, const std::string& request_id) {
    std::string message_id = model::new_id();
    if (!identity_.may(Capability::SendMessage))
        return send_error(message_id, request_id, 403,
                          "The chat token does not allow SEND_MESSAGE");
    const std::string* content = request_string(req, "Content");
    if (!content)
        return send_error(message_id, request_id, 400, "Content is required and must be a string");
    std::optional<model::Attributes> attributes;
    if (const Value* a = request_member(req, "Attributes")) {
        if (!a->is_object())
            return send_error(message_id, request_id, 400, "Attributes must be a map of strings");
        attributes.emplace();
        std::size_t bytes = 0;
        for (const auto& [k, v] : a->members()) {
            if (v.kind() != Value::Kind::String)
                return send_error(message_id, request_id, 400,
                                  "Attributes must be a map of strings");
            bytes += k.size() + v.as_string().size();
            (*attributes)[k] = v.as_string();
        }
        if (bytes > ctx_.settings.max_message_attributes_bytes)
            return send_error(message_id, request_id, 413,
                              "Attributes are too large (1 KB at most)");
    }
    auto room = current_room();
    if (!room) return;
    auto length = utf8_code_points(*content);
    if (length == 0) return send_error(message_id, request_id, 400, "Content must not be empty");
    if (length > static_cast<std::size_t>(room->maximum_message_length))
        return send_error(message_id, request_id, 400,
                          "Message exceeds maximum length of " +
                              std::to_string(room->maximum_message_length) + " characters");
    // In a cluster the room's bucket lives in the bus, shared by every node.
    const bool cluster = ctx_.hub->cluster();
    if (!cluster && !ctx_.room_rates.try_take(room->id, room->maximum_message_rate_per_second,
                                              model::now_nanos()))
        return send_error(message_id, request_id, 429, "rate limit exceeded");

    ChatMessage msg{.id = std::move(message_id),
                    .request_id = request_id,
                    .attributes = std::move(attributes),
                    .content = *content,
                    .send_time_ns = model::now_nanos(),
                    .sender_user_id = std::string(identity_.user_id()),
                    .sender_attributes = identity_.attributes()};
    if (room->message_review_handler && !room->message_review_handler->uri.empty() &&
        ctx_.reviewer) {
        if (cluster) return review_after_cluster_rate(room, std::move(msg));
        ctx_.reviewer->review(room, std::move(msg), remote_ip(), ref());
        return;
    }
    if (cluster) {
        auto failed = report_failure(msg.id, msg.request_id);
        ctx_.hub->publish_rated(room, message_json(msg), room->maximum_message_rate_per_second,
                                std::move(failed));
        return;
    }
    deliver_message(room, std::move(msg));
}

// The rate is taken before the review, as on a single node; the publish follows the verdict.
void ChatSession::review_after_cluster_rate(const RoomPtr& room, ChatMessage msg) {
    auto pending = std::make_shared<ChatMessage>(std::move(msg));
    ctx_.hub->take_room_rate(
        room, room->maximum_message_rate_per_second, [self = ref(), room, pending](bus::Verdict v) {
            asio::post(self->executor(), [self, room, pending, v] {
                if (self->state_ != State::Open) return;
                if (v != bus::Verdict::Accepted)
                    return self->send_error(pending->id, pending->request_id,
                                            v == bus::Verdict::Refused ? 429 : 500,
                                            v == bus::Verdict::Refused ? "rate limit exceeded"
                                                                       : "Internal server error");
                self->ctx_.reviewer->review(room, std::move(*pending), self->remote_ip(), self);
            });
        });
}

void ChatSession::deliver_message(const RoomPtr& room, ChatMessage message) {
    // The failure callback is only built in a cluster: a single node's path stays as it was.
    auto failed =
        ctx_.hub->cluster() ? report_failure(message.id, message.request_id) : PublishFailed{};
    ctx_.hub->publish(room, "MESSAGE", message_json(message), std::move(failed));
}

void ChatSession::on_delete_message(const Value& req, const std::string& request_id) {
    std::string event_id = model::new_id();
    if (!identity_.may(Capability::DeleteMessage))
        return send_error(event_id, request_id, 403,
                          "The chat token does not allow DELETE_MESSAGE");
    const std::string* id = request_string(req, "Id");
    if (!id || id->empty()) return send_error(event_id, request_id, 400, "Id is required");
    if (!is_message_id(*id))
        return send_error(event_id, request_id, 400,
                          "Id must be a message Id (12 letters and digits)");
    const std::string* reason = request_string(req, "Reason");
    if (auto e = reason ? length_error("Reason", *reason, kMaxReasonLength) : ""; !e.empty())
        return send_error(event_id, request_id, 400, e);
    auto room = current_room();
    if (!room) return;
    ctx_.hub->forget_message(room->id, *id);
    model::Attributes attrs{{"MessageId", *id}, {"MessageID", *id}};
    if (reason) attrs["Reason"] = *reason;
    auto failed = ctx_.hub->cluster() ? report_failure(event_id, request_id) : PublishFailed{};
    ctx_.hub->publish_event(room,
                            ChatEvent{.id = event_id,
                                      .request_id = request_id,
                                      .event_name = "aws:DELETE_MESSAGE",
                                      .attributes = std::move(attrs),
                                      .send_time_ns = model::now_nanos()},
                            std::move(failed));
}

void ChatSession::on_disconnect_user(const Value& req, const std::string& request_id) {
    std::string event_id = model::new_id();
    if (!identity_.may(Capability::DisconnectUser))
        return send_error(event_id, request_id, 403,
                          "The chat token does not allow DISCONNECT_USER");
    const std::string* user = request_string(req, "UserId");
    if (!user || user->empty()) return send_error(event_id, request_id, 400, "UserId is required");
    if (auto e = length_error("UserId", *user, kMaxUserIdLength); !e.empty())
        return send_error(event_id, request_id, 400, e);
    const std::string* reason = request_string(req, "Reason");
    if (auto e = reason ? length_error("Reason", *reason, kMaxReasonLength) : ""; !e.empty())
        return send_error(event_id, request_id, 400, e);
    auto room = current_room();
    if (!room) return;
    model::Attributes attrs{{"UserId", *user}};
    if (reason) attrs["Reason"] = *reason;
    ctx_.hub->disconnect_user_with_event(
        room,
        ChatEvent{.id = event_id,
                  .request_id = request_id,
                  .event_name = "aws:DISCONNECT_USER",
                  .attributes = std::move(attrs),
                  .send_time_ns = model::now_nanos()},
        *user, reason ? *reason : "",
        ctx_.hub->cluster() ? report_failure(event_id, request_id) : PublishFailed{});
}

}  // namespace parley::messaging
