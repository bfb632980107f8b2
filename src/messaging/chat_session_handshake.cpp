// ChatSession's opening, top to bottom: admission against the door's caps, the HTTP upgrade
// read as it arrives, the chat token checked (and claimed once, cluster-wide in a cluster),
// then the 101 or a plain-text refusal. Reading, writing and closing stay in chat_session.cpp.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http.hpp>

#include "messaging/chat_handshake_state.hpp"
#include "messaging/chat_session.hpp"
#include "messaging/client_request_fields.hpp"
#include "messaging/room_hub.hpp"
#include "messaging/ws_handshake.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"

namespace parley::messaging {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// Over TLS, after the TLS handshake: a refusal is then readable by the client.
void ChatSession::admit() {
    // Both counts include this connection. Refused ones stay pending while the answer is sent,
    // so a flood of them is bounded by the same deadline.
    auto pending = ctx_.metrics.connections_pending.load();
    auto upgraded = ctx_.metrics.connections_open.load() - pending;
    if (static_cast<std::size_t>(pending) > ctx_.settings.max_pending_connections) {
        handshake_ = std::make_unique<HandshakeState>();
        return reject_handshake(503, "Too many pending connections");
    }
    if (static_cast<std::size_t>(upgraded) >= ctx_.settings.max_connections) {
        handshake_ = std::make_unique<HandshakeState>();
        return reject_handshake(503, "Too many connections");
    }
    read_handshake();
}

// ---- handshake -------------------------------------------------------------------------------

void ChatSession::read_handshake() {
    handshake_ = std::make_unique<HandshakeState>();
    handshake_->parser.header_limit(kMaxUpgradeBytes);
    // Headers only: an upgrade has no body, and a request with one must still get its answer.
    auto done = [self = ref()](const boost::system::error_code& ec, std::size_t) {
        self->on_handshake(ec);
    };
    if (tls_)
        http::async_read_header(*tls_, handshake_->buffer, handshake_->parser, std::move(done));
    else
        read_handshake_plain({});
}

// A plain socket's upgrade is read as it arrives and fed to Beast's parser here, as Beast's
// async_read_header would, but without its composed operation: four layers of handlers and an
// allocation a connection (about 1 µs of the ~50 µs of server CPU a connection costs).
void ChatSession::on_handshake_readable(void* p, const boost::system::error_code& ec) {
    auto self = static_cast<ChatSession*>(p)->ref();  // alive until this returns
    self->read_handshake_plain(ec);
}

void ChatSession::read_handshake_plain(boost::system::error_code ec) {
    if (state_ != State::Handshake) return;
    if (ec) return on_handshake(ec);
    auto& buffer = handshake_->buffer;
    auto& parser = handshake_->parser;
    while (true) {
        // What Beast's own read asks for: at least 512 bytes, never past the buffer's limit.
        const std::size_t room = boost::beast::read_size(buffer, 65536);
        if (room == 0) return on_handshake(http::error::buffer_overflow);
        const std::size_t n = socket_.read_some(buffer.prepare(room), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            socket_.park(PolledSocket::Read, &ChatSession::on_handshake_readable, this);
            return;
        }
        if (ec == asio::error::eof) {
            // As Beast: a request cut short is malformed; nothing at all, the peer went away.
            if (!parser.got_some()) return on_handshake(http::error::end_of_stream);
            ec = {};
            parser.put_eof(ec);
            return on_handshake(ec ? ec : http::error::partial_message);
        }
        if (ec) return on_handshake(ec);
        buffer.commit(n);
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) continue;
        // The header is complete (the parser stops there) or malformed; what follows it stays
        // in the buffer for the WebSocket side.
        return on_handshake(ec);
    }
}

void ChatSession::on_handshake(const boost::system::error_code& ec) {
    if (state_ != State::Handshake) return;
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
        return abort();  // the peer went away: nobody to answer
    if (ec) return reject_handshake(400, "Malformed HTTP request");
    const auto& req = handshake_->parser;
    using Field = UpgradeRequestParser::Field;

    if (req.method() != http::verb::get || !header_lists_token(req[Field::Upgrade], "websocket") ||
        !header_lists_token(req[Field::Connection], "upgrade"))
        return reject_handshake(426, "This endpoint speaks WebSocket only");
    if (!req.is_done()) return reject_handshake(400, "An upgrade request has no body");
    if (req[Field::Version] != "13") return reject_handshake(426, "Unsupported WebSocket version");
    auto key = req[Field::Key];
    if (!is_valid_websocket_key(key)) return reject_handshake(400, "Bad Sec-WebSocket-Key");

    auto options = parse_connect_options(req.target());
    if (!options.error.empty()) return reject_handshake(400, options.error);
    if (auto wanted = std::min(options.history, ctx_.hub->history_max_messages()); wanted > 0) {
        history_join_ = std::make_unique<HistoryJoin>();
        history_join_->wanted = wanted;
    }
    wants_presence_ = options.presence;

    const std::string_view token = first_subprotocol(req[Field::Protocol]);
    if (token.empty()) return reject_handshake(401, "Missing chat token");

    auto now = model::now_millis();
    auto opened = ctx_.sealer.open(token, now);
    if (!opened.claims) {
        return reject_handshake(
            401, std::string("Invalid chat token: ") + std::string(token::to_string(opened.error)));
    }
    if (opened.claims->session_expires_at_ms() <= now)
        return reject_handshake(401, "Chat session has expired");
    auto parts = model::parse_arn(opened.claims->room_arn);
    RoomPtr room;
    try {
        room = parts ? ctx_.rooms.find_or_load(parts->id) : nullptr;
    } catch (const std::exception&) {
        // A shared store was asked about a room missing here and could not be reached.
        return reject_handshake(503, "Service unavailable");
    }
    if (!room || room->arn != opened.claims->room_arn)
        return reject_handshake(404, "Room not found");
    // Checked again now: connections that were pending together may have filled the door.
    auto upgraded = ctx_.metrics.connections_open.load() - ctx_.metrics.connections_pending.load();
    if (static_cast<std::size_t>(upgraded) >= ctx_.settings.max_connections)
        return reject_handshake(503, "Too many connections");
    // Last: a token is consumed only by a connection that is really accepted.
    if (ctx_.hub->cluster())
        return claim_token_cluster_wide(std::move(*opened.claims), room->id, std::string(key),
                                        std::string(token));
    if (!ctx_.replay_guard.first_use(opened.claims->token_id, opened.claims->token_expires_at_ms,
                                     now))
        return reject_handshake(403, "Chat token has already been used");
    complete_handshake(std::move(*opened.claims), room->id, key, token);
}

// Every node must agree that a token opens one connection: its id is claimed in the bus
// (Redis SET NX PX until the token expires); the handshake resumes on this loop with the answer.
void ChatSession::claim_token_cluster_wide(token::ChatTokenClaims claims, std::string room_id,
                                           std::string key, std::string token) {
    auto ttl = claims.token_expires_at_ms - model::now_millis();
    auto key_name = "parley:token:" + claims.token_id;
    auto pending = std::make_shared<token::ChatTokenClaims>(std::move(claims));
    ctx_.hub->bus()->claim_once(
        key_name, std::max<std::int64_t>(ttl, 1),
        [self = ref(), pending, room_id = std::move(room_id), key = std::move(key),
         token = std::move(token)](bus::Verdict v) mutable {
            asio::post(self->executor(), [self, pending, room_id = std::move(room_id),
                                          key = std::move(key), token = std::move(token), v] {
                if (self->state_ != State::Handshake) return;  // timed out or gone meanwhile
                if (v == bus::Verdict::Refused)
                    return self->reject_handshake(403, "Chat token has already been used");
                if (v != bus::Verdict::Accepted)
                    return self->reject_handshake(503, "Service unavailable");
                self->complete_handshake(std::move(*pending), room_id, key, token);
            });
        });
}

void ChatSession::complete_handshake(token::ChatTokenClaims claims, const std::string& room_id,
                                     std::string_view key, std::string_view token) {
    const std::size_t home = ctx_.hub->home_loop(room_id, loop_index_);
    if (home != loop_index_)
        return move_to_loop(home, std::move(claims), room_id, std::string(key), std::string(token));
    finish_handshake(std::move(claims), room_id, key, token);
}

// Before its 101, the connection moves to the loop its room lives on (RoomHub::home_loop): then
// one loop fans out the room's messages, with no hand-off per message to another. Nothing is
// parked or under way on the socket here: the upgrade request has been read in full.
void ChatSession::move_to_loop(std::size_t loop, token::ChatTokenClaims claims, std::string room_id,
                               std::string key, std::string token) {
    auto self = ref();  // detach() drops the hub's reference
    ctx_.hub->detach(this);
    socket_.move_to(ctx_.hub->loop(loop));
    loop_index_ = static_cast<std::uint32_t>(loop);
    ctx_.metrics.connections_moved.fetch_add(1, std::memory_order_relaxed);
    ctx_.hub->post_to_loop(loop, [self, claims = std::move(claims), room_id = std::move(room_id),
                                  key = std::move(key), token = std::move(token)]() mutable {
        self->ctx_.hub->attach(self);
        boost::system::error_code ec;
        self->socket_.start_polling(ec);
        if (ec) return self->abort();
        self->finish_handshake(std::move(claims), room_id, key, token);
    });
}

void ChatSession::finish_handshake(token::ChatTokenClaims claims, const std::string& room_id,
                                   std::string_view key, std::string_view token) {
    identity_ = SessionIdentity::from(std::move(claims));
    room_id_ = room_id;
    auto accept = websocket_accept_key(key);
    auto leftover = boost::beast::buffers_to_string(handshake_->buffer.data());
    accept_handshake(accept, token, leftover);
}

void ChatSession::reject_handshake(unsigned status, std::string_view reason) {
    ctx_.metrics.handshakes_rejected.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("chat handshake from {} refused: {} {}", remote_ip(), status, reason);
    std::string body = std::string(reason) + "\n";
    auto& resp = handshake_->response;
    resp = "HTTP/1.1 " + std::to_string(status) + " " +
           std::string(http::obsolete_reason(static_cast<http::status>(status))) +
           "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
    state_ = State::Closing;
    auto written = [self = ref()](const boost::system::error_code& ec, std::size_t) {
        if (ec) return self->finish();
        self->shutdown_send();
        // Over TLS the drain discards ciphertext: nothing of it is needed any more.
        self->drain_after_reject();
    };
    if (tls_)
        asio::async_write(*tls_, asio::buffer(resp), std::move(written));
    else
        asio::async_write(socket_, asio::buffer(resp), std::move(written));
}

void ChatSession::accept_handshake(std::string_view accept_key, std::string_view protocol,
                                   std::string_view leftover) {
    constexpr std::string_view kHead =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ";
    constexpr std::string_view kProtocol = "\r\nSec-WebSocket-Protocol: ";
    auto& resp = handshake_->response;
    resp.reserve(kHead.size() + accept_key.size() + kProtocol.size() + protocol.size() + 4);
    resp.append(kHead).append(accept_key).append(kProtocol).append(protocol).append("\r\n\r\n");
    state_ = State::Open;
    leave_pending();
    ctx_.metrics.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    ctx_.hub->join(ref());
    joined_ = true;
    // The 101 goes out first. A plain socket writes it at once (a fresh socket has room), so a
    // connection that then stays idle never allocates send-queue storage; what the socket does
    // not take (and all of it over TLS) goes through the send queue, which frames follow.
    std::size_t written = 0;
    if (!tls_) {
        boost::system::error_code ignored;  // a failed socket says so again on the next read
        written = socket_.write_some(asio::buffer(resp), ignored);
    }
    if (written < resp.size())
        queue(std::make_shared<const std::string>(std::string_view(resp).substr(written)));
    // The backfill (?history=N) next, before any live frame: those are posted to this loop and
    // so run after this handler.
    if (history_join_) {
        for (const auto& f : history_join_->backfill) send(f);
        history_join_->backfill = {};  // released: the frames are in the send queue now
    }
    std::string early(leftover);
    handshake_.reset();  // the per-connection handshake buffers are not kept
    // A DeleteRoom between the catalog look-up above and join() saw no member here to close.
    if (!ctx_.rooms.find(room_id_)) close_after_flush(1000, "Room deleted");
    if (!early.empty()) consume(reinterpret_cast<const std::uint8_t*>(early.data()), early.size());
    // Closing (a close frame came with the upgrade) still reads, to see the peer's EOF.
    if (state_ != State::Closed) wait_readable();
}

}  // namespace parley::messaging
