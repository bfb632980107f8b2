#include "messaging/room_hub.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>
#include <future>
#include <limits>

#include "bus/bus_envelope.hpp"
#include "messaging/chat_session.hpp"
#include "messaging/readiness_poller.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"

namespace parley::messaging {

namespace asio = boost::asio;

namespace {
// Queues `frame` for every member that `wanted` accepts, without copying the member list (a
// copy costs two reference-count updates per member and message). Backwards: a send that cuts a
// slow reader swap-removes it, and the member moved into its slot was served already. The last
// removal (slot 0) may erase the list itself, and nothing reads it after that.
template <class Wanted>
std::size_t send_to_members(std::vector<SessionPtr>& members, const SharedFrame& frame,
                            Wanted wanted) {
    std::size_t sent = 0;
    for (std::size_t i = members.size(); i-- > 0;) {
        ChatSession& s = *members[i];
        if (wanted(s) && s.send_uncounted(frame)) ++sent;
    }
    return sent;
}
}  // namespace

RoomHub::RoomHub(std::vector<asio::io_context*> loops, EdgeContext& ctx) : ctx_(ctx) {
    for (auto* l : loops) {
        auto s = std::make_unique<Shard>();
        s->loop = l;
        s->tick_timer = std::make_unique<asio::steady_timer>(*l);
        // The loop's chat-connection poller, made here (before the loops run) rather than by
        // the first connection's socket on the accepting thread.
        asio::use_service<ReadinessPoller>(*l);
        s->mailbox = std::make_unique<LoopMailbox>(*l);
        shards_.push_back(std::move(s));
    }
}

RoomHub::~RoomHub() = default;

void RoomHub::attach(const SessionPtr& s) {
    auto& sessions = shards_[s->loop_index()]->sessions;
    s->hub_slot = static_cast<std::uint32_t>(sessions.size());
    sessions.push_back(s);
    shards_[s->loop_index()]->connections.store(static_cast<std::uint32_t>(sessions.size()),
                                                std::memory_order_relaxed);
}

void RoomHub::detach(ChatSession* s) {
    auto& sessions = shards_[s->loop_index()]->sessions;
    const std::size_t slot = s->hub_slot;
    if (slot >= sessions.size() || sessions[slot].get() != s) return;
    // Keep the session alive until this call returns: removing may drop the last reference.
    auto keep = std::move(sessions[slot]);
    // Swap-remove: O(1), like leave().
    if (slot != sessions.size() - 1) {
        sessions[slot] = std::move(sessions.back());
        sessions[slot]->hub_slot = static_cast<std::uint32_t>(slot);
    }
    sessions.pop_back();
    shards_[s->loop_index()]->connections.store(static_cast<std::uint32_t>(sessions.size()),
                                                std::memory_order_relaxed);
    // After a wave of disconnections give the slots back (amortised: only at 1/4 full).
    if (sessions.capacity() > 1024 && sessions.size() < sessions.capacity() / 4)
        sessions.shrink_to_fit();
}

void RoomHub::join(const SessionPtr& s) {
    auto& shard = *shards_[s->loop_index()];
    auto& members = shard.rooms[s->room_id()];
    s->member_slot = static_cast<std::uint32_t>(members.size());
    members.push_back(s);
    presence_.connected(s->room_id(), s->profile(), s->wants_presence_, model::now_millis());
    if (shared_presence_)
        shared_presence_->connected(s->room_id(), std::string(s->user_id()),
                                    s->profile()->attributes());
    // Cluster mode: live frames are held from now until the backfill read from Redis is sent.
    HistoryJoin* const wants_history = s->history_join_.get();  // null: no ?history=N
    const bool shared_backfill = shared_history_ && wants_history;
    if (shared_backfill) wants_history->cluster = std::make_unique<ClusterBackfill>();
    std::vector<HistoryEntry> backfill;
    {
        std::lock_guard lock(directory_mutex_);
        auto [d, first] = directory_.try_emplace(s->room_id());
        auto& counts = d->second;
        counts.resize(shards_.size());
        ++counts[s->loop_index()];
        // First member on this node: listen to the room's channel. Under the directory lock, so
        // a subscribe and a later unsubscribe reach the bus in that order.
        if (first && cluster_) bus_->subscribe(s->room_id());
        // Backfill snapshot and membership in one step under the lock that every recorded
        // MESSAGE also takes: a message recorded before this point is in the snapshot (or older
        // than what was asked for) and skipped live by its seq; one recorded after it finds this
        // session a member. No gap, no duplicate.
        if (history_ && wants_history) {
            backfill = history_->tail(s->room_id(), wants_history->wanted, model::now_nanos());
            wants_history->floor = history_->last_seq(s->room_id());
        }
    }
    for (const auto& e : backfill) wants_history->backfill.push_back(text_frame(*e.json));
    if (shared_backfill) {
        // Read once the subscription issued above is live (SharedHistory::backfill).
        auto* mailbox = shards_[s->loop_index()]->mailbox.get();
        shared_history_->backfill(
            s->room_id(), wants_history->wanted,
            // Holds the session until the bus answers (bounded by the bus's timeout); a session
            // closed meanwhile is skipped by finish_cluster_backfill.
            [this, mailbox, session = s](bool ok, std::vector<bus::HistoryItem> items) {
                mailbox->post([this, session, ok, items = std::move(items)]() mutable {
                    finish_cluster_backfill(session, ok, std::move(items));
                });
            });
    }
}

void RoomHub::finish_cluster_backfill(const SessionPtr& s, bool ok,
                                      std::vector<bus::HistoryItem> items) {
    auto* b = s->cluster_backfill();
    if (!b || !b->waiting || s->state_ == ChatSession::State::Closed) return;
    if (!ok) {
        // Redis did not answer in time: live traffic goes on, without the backfill.
        ctx_.metrics.bus_failures.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("history backfill for room {} failed: the bus did not answer", s->room_id());
    }
    for (const auto& item : items) {
        if (!(b->floor < item.id)) continue;
        s->send(text_frame(item.json));
        b->floor = item.id;
    }
    b->waiting = false;
    auto held = std::move(b->held);
    b->held.clear();
    for (auto& [frame, id] : held)
        if (id.empty() || b->floor < id) s->send(frame);
}

void RoomHub::leave(ChatSession* s) {
    auto& shard = *shards_[s->loop_index()];
    auto it = shard.rooms.find(s->room_id());
    if (it == shard.rooms.end()) return;
    auto& members = it->second;
    std::size_t slot = s->member_slot;
    if (slot >= members.size() || members[slot].get() != s) return;
    // Swap-remove keeps leave O(1) in rooms with thousands of members.
    if (slot != members.size() - 1) {
        members[slot] = std::move(members.back());
        members[slot]->member_slot = slot;
    }
    members.pop_back();
    if (members.empty()) shard.rooms.erase(it);
    presence_.disconnected(s->room_id(), s->user_id(), s->wants_presence_);
    if (shared_presence_) shared_presence_->disconnected(s->room_id(), std::string(s->user_id()));
    std::lock_guard lock(directory_mutex_);
    auto d = directory_.find(s->room_id());
    if (d != directory_.end() && --d->second[s->loop_index()] == 0) {
        bool any = false;
        for (auto c : d->second) any = any || c != 0;
        if (!any) {
            directory_.erase(d);
            homes_.erase(s->room_id());
            if (cluster_) bus_->unsubscribe(s->room_id());
        }
    }
}

std::size_t RoomHub::home_loop(const std::string& room_id, std::size_t current) {
    const std::size_t limit = ctx_.settings.room_affinity;
    if (shards_.size() < 2 || limit == 0) return current;
    std::lock_guard lock(directory_mutex_);
    auto [home, fresh] = homes_.try_emplace(room_id, 0);
    if (!fresh) {
        auto d = directory_.find(room_id);
        const std::size_t there = d == directory_.end() ? 0 : d->second[home->second];
        if (there < limit) return home->second;
    }
    // A new room, or one past the limit on its home: the loop with the fewest connections.
    std::size_t best = current;
    for (std::size_t i = 0; i < shards_.size(); ++i)
        if (shards_[i]->connections.load(std::memory_order_relaxed) <
            shards_[best]->connections.load(std::memory_order_relaxed))
            best = i;
    if (fresh) home->second = static_cast<std::uint32_t>(best);
    return best;
}

void RoomHub::mark_dirty(ChatSession* s) {
    auto& shard = *shards_[s->loop_index()];
    shard.dirty.push_back(s->ref());
    if (!shard.flush_posted) {
        shard.flush_posted = true;
        asio::post(*shard.loop, [this, &shard] { flush_dirty(shard); });
    }
}

void RoomHub::flush_dirty(Shard& shard) {
    shard.flush_posted = false;
    // Swapped with a spare list rather than moved out: both keep their capacity, so the next
    // pass's mark_dirty calls do not grow a fresh vector from nothing.
    auto& dirty = shard.flushing;
    dirty.swap(shard.dirty);
    // A batch of one would only add the ring's bookkeeping to a plain send().
    if (SendBatch* batch = dirty.size() > 1 ? batch_for(shard) : nullptr) {
        ChatSession::flush_all(dirty, *batch);
    } else {
        for (auto& s : dirty) {
            // A session closed during this turn has left `sessions`; skip it.
            if (s->state_ == ChatSession::State::Closed) continue;
            s->flush();
        }
    }
    dirty.clear();
}

SendBatch* RoomHub::batch_for(Shard& shard) {
    if (!shard.send_batch_tried && ctx_.settings.batch_sends) {
        shard.send_batch_tried = true;
        std::string why;
        shard.send_batch = SendBatch::open(why);
        // Once for the process: every loop finds the same kernel.
        if (!send_batch_logged_.exchange(true)) {
            if (shard.send_batch)
                spdlog::info("chat writes: each loop pass's sends batched through io_uring");
            else
                spdlog::warn("chat writes: io_uring unavailable ({}); one send() per connection",
                             why);
        }
    }
    if (shard.send_batch && shard.send_batch->broken()) {
        spdlog::error(
            "chat writes: an io_uring send did not complete at once; this event loop "
            "now uses one send() per connection");
        shard.send_batch.reset();
    }
    return shard.send_batch.get();
}

std::vector<std::size_t> RoomHub::member_loops_locked(const std::string& room_id) {
    std::vector<std::size_t> loops;
    auto d = directory_.find(room_id);
    if (d == directory_.end()) return loops;
    for (std::size_t i = 0; i < d->second.size(); ++i)
        if (d->second[i] != 0) loops.push_back(i);
    return loops;
}

void RoomHub::post_to_loops(const std::vector<std::size_t>& loops, const std::string& room_id,
                            std::function<void(Shard&, std::vector<SessionPtr>&)> fn) {
    for (auto i : loops) {
        auto* shard = shards_[i].get();
        shard->mailbox->post([shard, room_id, fn] {
            auto it = shard->rooms.find(room_id);
            if (it == shard->rooms.end()) return;
            fn(*shard, it->second);
        });
    }
}

void RoomHub::for_each_member_loop(const std::string& room_id,
                                   std::function<void(Shard&, std::vector<SessionPtr>&)> fn) {
    std::vector<std::size_t> loops;
    {
        std::lock_guard lock(directory_mutex_);
        loops = member_loops_locked(room_id);
    }
    post_to_loops(loops, room_id, std::move(fn));
}

void RoomHub::set_bus(bus::Bus* b, std::string node_id) {
    bus_ = b;
    cluster_ = b && b->spans_nodes();
    node_id_ = std::move(node_id);
    if (cluster_)
        bus_->set_delivery([this](std::string_view room_id, std::string_view payload) {
            on_bus_payload(room_id, payload);
        });
}

void RoomHub::set_shared(bus::SharedHistory* h, HistoryLimits limits, bus::SharedPresence* p) {
    shared_history_ = h;
    shared_limits_ = limits;
    shared_presence_ = p;
    presence_.set_shared_events(p != nullptr);
}

void RoomHub::deliver_cluster(const std::string& room_id, SharedFrame frame, bus::StreamId id) {
    for_each_member_loop(room_id, [frame, id](Shard&, std::vector<SessionPtr>& members) {
        // Copy: a send may abort a slow session, which swap-removes it from `members`.
        auto receivers = members;
        for (auto& s : receivers) {
            if (auto* b = s->cluster_backfill(); b && !b->admit(frame, id)) continue;
            s->send(frame);
        }
    });
}

void RoomHub::deliver_cluster_local(const RoomPtr& room, std::string_view type,
                                    const std::string& json, bus::StreamId id) {
    ctx_.metrics.messages_broadcast.fetch_add(1, std::memory_order_relaxed);
    if (observer_) observer_(room, type, json);  // the origin node logs, once cluster-wide
    deliver_cluster(room->id, text_frame(json), id);
}

void RoomHub::publish_recorded(const RoomPtr& room, std::string json, int per_second,
                               PublishFailed failed) {
    std::string message_id(message_id_of(json));
    std::string copy = json;
    bus_->publish_recorded(
        room->id, per_second, bus::encode_envelope(node_id_, 'H', {}), std::move(copy),
        std::move(message_id), shared_limits_.max_messages, shared_limits_.max_age_ns / 1'000'000,
        [this, room, json = std::move(json), failed = std::move(failed)](
            bus::Verdict v, std::string_view stream_id) {
            if (v == bus::Verdict::Accepted)
                return deliver_cluster_local(
                    room, "MESSAGE", json,
                    bus::parse_stream_id(stream_id).value_or(bus::StreamId{}));
            if (v == bus::Verdict::Unavailable)
                ctx_.metrics.bus_failures.fetch_add(1, std::memory_order_relaxed);
            if (failed) failed(v == bus::Verdict::Refused ? 429 : 500);
        });
}

void RoomHub::deliver_local(const RoomPtr& room, std::string_view type, const std::string& json) {
    if (cluster_) return deliver_cluster_local(room, type, json, {});
    ctx_.metrics.messages_broadcast.fetch_add(1, std::memory_order_relaxed);
    // Logged on the origin node only: each message is written once cluster-wide.
    if (observer_) observer_(room, type, json);
    // Encoded once; every receiver on every loop shares these bytes.
    SharedFrame frame = text_frame(json);
    if (!history_ || type != "MESSAGE") {
        broadcast_frame(room->id, frame);
        return;
    }
    // Recorded, its receivers' loops looked up and the deliveries queued in one step (see
    // join()): each loop then receives the room's messages in seq order, the history's order.
    // This loop's own members get it in this pass (see broadcast_frame), after the lock: a send
    // may cut a slow reader, whose leave() takes the directory lock.
    Shard* own = nullptr;
    {
        std::lock_guard lock(directory_mutex_);
        const auto seq = history_->append(room->id, json, model::now_nanos());
        for (auto i : member_loops_locked(room->id)) {
            auto& shard = *shards_[i];
            const bool here = shard.loop->get_executor().running_in_this_thread();
            bool post = false;
            {
                std::lock_guard inbox_lock(shard.inbox_mutex);
                shard.inbox.push_back(Shard::Recorded{room->id, frame, seq});
                post = !here && !std::exchange(shard.drain_posted, true);
            }
            if (here) own = &shard;
            if (post) shard.mailbox->post([this, &shard] { drain_inbox(shard); });
        }
    }
    if (own) drain_inbox(*own);
}

void RoomHub::broadcast_frame(const std::string& room_id, const SharedFrame& frame) {
    std::vector<std::size_t> loops;
    {
        std::lock_guard lock(directory_mutex_);
        loops = member_loops_locked(room_id);
    }
    for (auto i : loops) {
        auto* shard = shards_[i].get();
        if (shard->loop->get_executor().running_in_this_thread()) {
            deliver_frame(*shard, room_id, frame);
            continue;
        }
        shard->mailbox->post(
            [this, shard, room_id, frame] { deliver_frame(*shard, room_id, frame); });
    }
}

void RoomHub::deliver_frame(Shard& shard, const std::string& room_id, const SharedFrame& frame) {
    auto it = shard.rooms.find(room_id);
    if (it == shard.rooms.end()) return;
    auto n = send_to_members(it->second, frame, [](ChatSession&) { return true; });
    ctx_.metrics.frames_delivered.fetch_add(n, std::memory_order_relaxed);
}

void RoomHub::drain_inbox(Shard& shard) {
    std::vector<Shard::Recorded> items;
    {
        std::lock_guard lock(shard.inbox_mutex);
        items.swap(shard.inbox);
        shard.drain_posted = false;
    }
    std::size_t delivered = 0;
    for (const auto& item : items) {
        auto it = shard.rooms.find(item.room_id);
        if (it == shard.rooms.end()) continue;
        delivered += send_to_members(it->second, item.frame, [&](ChatSession& s) {
            // Else it came with the backfill (?history=N).
            return !s.history_join_ || s.history_join_->floor < item.seq;
        });
    }
    ctx_.metrics.frames_delivered.fetch_add(delivered, std::memory_order_relaxed);
}

// The origin node delivers to its own members when the bus has accepted the payload and skips
// its echo; every other node delivers from the bus. So each node delivers a payload once, and
// in the order its origin published it (one Redis connection per node, FIFO both ways).
void RoomHub::publish(const RoomPtr& room, std::string_view type, std::string json,
                      PublishFailed failed) {
    if (!cluster_) return deliver_local(room, type, json);
    if (shared_history_ && type == "MESSAGE")
        return publish_recorded(room, std::move(json), 0, std::move(failed));
    auto payload = bus::encode_envelope(node_id_, 'F', json);
    bus_->publish(room->id, std::move(payload),
                  [this, room, type = std::string(type), json = std::move(json),
                   failed = std::move(failed)](bus::Verdict v) {
                      if (v == bus::Verdict::Accepted) return deliver_local(room, type, json);
                      ctx_.metrics.bus_failures.fetch_add(1, std::memory_order_relaxed);
                      if (failed) failed(500);
                  });
}

void RoomHub::publish_rated(const RoomPtr& room, std::string json, int per_second,
                            PublishFailed failed) {
    if (shared_history_) return publish_recorded(room, std::move(json), per_second, failed);
    auto payload = bus::encode_envelope(node_id_, 'F', json);
    bus_->take_rate_then_publish(
        room->id, per_second, std::move(payload),
        [this, room, json = std::move(json), failed = std::move(failed)](bus::Verdict v) {
            if (v == bus::Verdict::Accepted) return deliver_local(room, "MESSAGE", json);
            if (v == bus::Verdict::Unavailable)
                ctx_.metrics.bus_failures.fetch_add(1, std::memory_order_relaxed);
            if (failed) failed(v == bus::Verdict::Refused ? 429 : 500);
        });
}

void RoomHub::take_room_rate(const RoomPtr& room, int per_second, bus::Done done) {
    bus_->take_rate_then_publish(room->id, per_second, std::string(), std::move(done));
}

void RoomHub::on_bus_payload(std::string_view room_id, std::string_view payload) {
    auto env = bus::decode_envelope(payload);
    if (!env || env->origin == node_id_) return;  // our own echo: delivered already
    std::string room(room_id);
    switch (env->kind) {
        case 'F':
            ctx_.metrics.messages_from_bus.fetch_add(1, std::memory_order_relaxed);
            deliver_cluster(room, text_frame(env->body), {});
            break;
        case 'H': {  // <stream id>\n<MESSAGE JSON>
            auto nl = env->body.find('\n');
            if (nl == std::string_view::npos) return;
            ctx_.metrics.messages_from_bus.fetch_add(1, std::memory_order_relaxed);
            deliver_cluster(
                room, text_frame(env->body.substr(nl + 1)),
                bus::parse_stream_id(env->body.substr(0, nl)).value_or(bus::StreamId{}));
            break;
        }
        case 'P': {  // <J|L>\n<user count>\n<connection count>\n<user id>
            auto body = env->body;
            std::string_view parts[3];
            for (auto& part : parts) {
                auto nl = body.find('\n');
                if (nl == std::string_view::npos) return;
                part = body.substr(0, nl);
                body.remove_prefix(nl + 1);
            }
            std::size_t users = 0, connections = 0;
            std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), users);
            std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), connections);
            presence_.note_shared_change(room, std::string(body), parts[0] == "J", users,
                                         connections);
            break;
        }
        case 'D': {
            auto nl = env->body.find('\n');
            if (nl == std::string_view::npos) return;
            disconnect_local(room, std::string(env->body.substr(0, nl)),
                             std::string(env->body.substr(nl + 1)));
            break;
        }
        case 'C':
            close_local(room, 1000, std::string(env->body));
            break;
        default:
            break;
    }
}

void RoomHub::publish_event(const RoomPtr& room, ChatEvent event, PublishFailed failed) {
    publish(room, "EVENT", event_json(event), std::move(failed));
}

void RoomHub::disconnect_local(const std::string& room_id, const std::string& user_id,
                               const std::string& reason) {
    // Posted after the event, so on each loop the event is queued before the close frame.
    for_each_member_loop(room_id, [user_id, reason](Shard&, std::vector<SessionPtr>& members) {
        auto snapshot = members;
        for (auto& s : snapshot)
            if (s->user_id() == user_id)
                s->close_after_flush(1000, reason.empty() ? "Disconnected" : reason);
    });
}

void RoomHub::disconnect_user_with_event(const RoomPtr& room, ChatEvent event,
                                         const std::string& user_id, const std::string& reason,
                                         PublishFailed failed) {
    publish_event(room, std::move(event), failed);
    if (!cluster_) return disconnect_local(room->id, user_id, reason);
    // Published after the event on the same connection: every node sees the event first.
    bus_->publish(room->id, bus::encode_envelope(node_id_, 'D', user_id + "\n" + reason),
                  [this, room_id = room->id, user_id, reason, failed](bus::Verdict v) {
                      if (v == bus::Verdict::Accepted)
                          return disconnect_local(room_id, user_id, reason);
                      if (failed) failed(500);
                  });
}

void RoomHub::close_room(const std::string& room_id, std::uint16_t code,
                         const std::string& reason) {
    close_local(room_id, code, reason);
    // Other nodes also learn of a deleted room from the store's change feed; the bus is quicker.
    if (cluster_) bus_->publish(room_id, bus::encode_envelope(node_id_, 'C', reason), {});
}

void RoomHub::close_local(const std::string& room_id, std::uint16_t code,
                          const std::string& reason) {
    for_each_member_loop(room_id, [code, reason](Shard&, std::vector<SessionPtr>& members) {
        auto snapshot = members;
        for (auto& s : snapshot) s->close_after_flush(code, reason);
    });
}

void RoomHub::send_event(const RoomPtr& room, const std::string& event_id,
                         const std::string& event_name, const model::Attributes& attributes) {
    publish_event(room, ChatEvent{.id = event_id,
                                  .request_id = "",
                                  .event_name = event_name,
                                  .attributes = attributes,
                                  .send_time_ns = model::now_nanos()});
}

void RoomHub::delete_message(const RoomPtr& room, const std::string& event_id,
                             const std::string& message_id, const std::string& reason) {
    forget_message(room->id, message_id);
    model::Attributes attrs{{"MessageId", message_id}, {"MessageID", message_id}};
    if (!reason.empty()) attrs["Reason"] = reason;
    publish_event(room, ChatEvent{.id = event_id,
                                  .request_id = "",
                                  .event_name = "aws:DELETE_MESSAGE",
                                  .attributes = std::move(attrs),
                                  .send_time_ns = model::now_nanos()});
}

void RoomHub::disconnect_user(const RoomPtr& room, const std::string& event_id,
                              const std::string& user_id, const std::string& reason) {
    model::Attributes attrs{{"UserId", user_id}};
    if (!reason.empty()) attrs["Reason"] = reason;
    disconnect_user_with_event(room,
                               ChatEvent{.id = event_id,
                                         .request_id = "",
                                         .event_name = "aws:DISCONNECT_USER",
                                         .attributes = std::move(attrs),
                                         .send_time_ns = model::now_nanos()},
                               user_id, reason);
}

void RoomHub::room_updated(const RoomPtr&) {
    // Sessions read limits from the catalog on every request, so nothing to push.
}

void RoomHub::forget_message(const std::string& room_id, std::string_view message_id) {
    if (history_) history_->remove(room_id, message_id);
    // Sent before the DELETE_MESSAGE event on the same link: once a client sees the event, the
    // message is gone from the shared history.
    if (shared_history_) shared_history_->remove(room_id, std::string(message_id));
}

void RoomHub::history_page(const std::string& room_id, const std::string& before_cursor,
                           std::size_t limit, std::int64_t start_ns, std::int64_t end_ns,
                           std::function<void(HistoryPageResult)> done) {
    if (!shared_history_)
        return LiveRoomControl::history_page(room_id, before_cursor, limit, start_ns, end_ns,
                                             std::move(done));
    constexpr std::int64_t kNsPerMs = 1'000'000;
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    // Stream ids count milliseconds: the range is rounded inwards.
    const std::int64_t start_ms = start_ns == kMin ? kMin
                                  : start_ns > 0 ? start_ns / kNsPerMs + (start_ns % kNsPerMs != 0)
                                                 : start_ns / kNsPerMs;
    const std::int64_t end_ms = end_ns == kMax ? kMax
                                : end_ns >= 0  ? end_ns / kNsPerMs
                                               : end_ns / kNsPerMs - (end_ns % kNsPerMs != 0);
    std::optional<bus::StreamId> before;
    if (!before_cursor.empty()) before = bus::parse_stream_id(before_cursor);
    shared_history_->page(room_id, before, limit, start_ms, end_ms,
                          [done = std::move(done)](bool ok, std::vector<bus::HistoryItem> items) {
                              HistoryPageResult out;
                              out.ok = ok;
                              out.enabled = true;
                              for (auto& item : items) {
                                  std::string id(message_id_of(item.json));
                                  out.items.push_back(HistoryPageItem{
                                      item.id.str(), std::move(id),
                                      std::make_shared<const std::string>(std::move(item.json))});
                              }
                              done(std::move(out));
                          });
}

void RoomHub::presence_page_async(const std::string& room_id, const std::string& after_user,
                                  std::size_t limit,
                                  std::function<void(std::optional<PresencePage>)> done) {
    if (!shared_presence_) return done(presence_.page(room_id, after_user, limit));
    shared_presence_->page(
        room_id, after_user, limit, [done = std::move(done)](bus::SharedPresencePage p) {
            if (!p.ok) return done(std::nullopt);
            PresencePage out;
            out.connection_count =
                static_cast<std::size_t>(std::max<std::int64_t>(p.connection_count, 0));
            out.user_count = static_cast<std::size_t>(std::max<std::int64_t>(p.user_count, 0));
            out.more = p.more;
            for (auto& u : p.users)
                out.users.push_back(PresenceUser{.user_id = std::move(u.user_id),
                                                 .attributes = std::move(u.attributes),
                                                 .connections = static_cast<std::size_t>(
                                                     std::max<std::int64_t>(u.connections, 0)),
                                                 .connected_since_ms = u.connected_since_ms});
            done(std::move(out));
        });
}

void RoomHub::room_deleted(const std::string& room_id) {
    ctx_.room_rates.forget(room_id);
    if (history_) history_->drop_room(room_id);
    if (shared_history_) shared_history_->drop_room(room_id);
    close_room(room_id, 1000, "Room deleted");
}

void RoomHub::start_ticks() {
    for (std::size_t i = 0; i < shards_.size(); ++i) schedule_tick(i);
}

void RoomHub::schedule_tick(std::size_t i) {
    auto& shard = *shards_[i];
    shard.tick_timer->expires_after(std::chrono::seconds(1));
    shard.tick_timer->async_wait([this, i](const boost::system::error_code& ec) {
        if (ec) return;
        // Re-armed first: should a session's tick throw, the loop's other sessions keep their
        // deadlines (handshake, idle, linger), or they would never be closed.
        schedule_tick(i);
        auto& shard = *shards_[i];
        auto now = model::now_millis();
        std::vector<SessionPtr> all(shard.sessions.begin(), shard.sessions.end());
        for (auto& s : all) s->tick(now);
        ctx_.replay_guard.sweep(now);
        if (i == 0) {
            ctx_.room_rates.sweep_idle(model::now_nanos());  // shared by all loops
            flush_presence();
        }
    });
}

// Coalescing: a room's arrivals and departures are gathered for up to a second and net out (a
// user who came and went in between is no news). Up to kPresenceEventsPerFlush of them go out
// as one event per user; beyond that, members get one parley:PRESENCE_SUMMARY instead, so a
// room of 10,000 joining at once costs each listener one frame a second, not 10,000.
constexpr std::size_t kPresenceEventsPerFlush = 20;

void RoomHub::flush_presence() {
    for (auto& c : presence_.take_changes()) {
        auto frames = std::make_shared<std::vector<SharedFrame>>();
        auto event = [&](std::string name, model::Attributes attrs) {
            frames->push_back(
                text_frame(event_json(ChatEvent{.id = model::new_id(),
                                                .request_id = "",
                                                .event_name = std::move(name),
                                                .attributes = std::move(attrs),
                                                .send_time_ns = model::now_nanos()})));
        };
        if (c.joined.size() + c.left.size() <= kPresenceEventsPerFlush) {
            for (const auto& u : c.joined) event("parley:USER_JOINED", {{"UserId", u}});
            for (const auto& u : c.left) event("parley:USER_LEFT", {{"UserId", u}});
        } else {
            event("parley:PRESENCE_SUMMARY",
                  {{"Joined", std::to_string(c.joined.size())},
                   {"Left", std::to_string(c.left.size())},
                   {"UserCount", std::to_string(c.user_count)},
                   {"ConnectionCount", std::to_string(c.connection_count)}});
        }
        for_each_member_loop(c.room_id, [frames](Shard&, std::vector<SessionPtr>& members) {
            auto receivers = members;
            for (auto& s : receivers)
                if (s->wants_presence_)
                    for (const auto& f : *frames) s->send(f);
        });
    }
}

void RoomHub::shutdown(std::uint16_t code, const std::string& reason) {
    std::vector<std::future<void>> done;
    for (auto& sp : shards_) {
        auto* shard = sp.get();
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        asio::post(*shard->loop, [this, shard, code, reason, p] {
            shard->tick_timer->cancel();
            std::vector<SessionPtr> all(shard->sessions.begin(), shard->sessions.end());
            for (auto& s : all) {
                if (s->state_ == ChatSession::State::Open)
                    s->close_after_flush(code, reason);
                else
                    s->abort();
            }
            // Start the writes now rather than at the end of the turn: the loops may be stopped
            // right after this returns, and a write's first attempt happens at initiation.
            flush_dirty(*shard);
            p->set_value();
        });
    }
    for (auto& f : done) f.wait_for(std::chrono::seconds(2));
}

}  // namespace parley::messaging
