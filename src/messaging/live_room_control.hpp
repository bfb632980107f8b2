#pragma once
// What the control plane asks of live connections: the HTTP SendEvent, DeleteMessage and
// DisconnectUser operations, and room changes that must apply to connected clients at once.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "messaging/room_catalog.hpp"
#include "messaging/room_history.hpp"
#include "messaging/room_presence.hpp"
#include "model/resources.hpp"

namespace parley::messaging {

class LiveRoomControl {
  public:
    virtual ~LiveRoomControl() = default;
    virtual void send_event(const RoomPtr& room, const std::string& event_id,
                            const std::string& event_name, const model::Attributes& attributes) = 0;
    virtual void delete_message(const RoomPtr& room, const std::string& event_id,
                                const std::string& message_id, const std::string& reason) = 0;
    virtual void disconnect_user(const RoomPtr& room, const std::string& event_id,
                                 const std::string& user_id, const std::string& reason) = 0;
    // The catalog already holds the new settings; connections pick them up from there.
    virtual void room_updated(const RoomPtr& room) = 0;
    virtual void room_deleted(const std::string& room_id) = 0;
    // False while the actions above cannot reach every node (the cluster bus is down): the API
    // then answers 500 rather than acting on one node only.
    virtual bool available() const { return true; }
    // Extensions (docs/extensions.md): the rooms' message history (null when turned off) and
    // who is connected.
    virtual const RoomHistory* history() const { return nullptr; }
    virtual PresencePage presence_page(const std::string& /*room_id*/,
                                       const std::string& /*after_user*/,
                                       std::size_t /*limit*/) const {
        return {};
    }

    // The same, answered later (cluster mode reads Redis): `done` runs once, on any thread.
    struct HistoryPageItem {
        std::string cursor;  // opaque: where the next page starts (below this message)
        std::string message_id;
        std::shared_ptr<const std::string> json;
    };
    struct HistoryPageResult {
        bool ok = true;        // false: the shared history could not be read now
        bool enabled = false;  // history is on
        std::vector<HistoryPageItem> items;
    };
    // Newest first: messages below `before_cursor` ("" from the newest) sent in
    // [start_ns, end_ns], at most `limit`.
    virtual void history_page(const std::string& room_id, const std::string& before_cursor,
                              std::size_t limit, std::int64_t start_ns, std::int64_t end_ns,
                              std::function<void(HistoryPageResult)> done);
    // nullopt: the shared presence could not be read now.
    virtual void presence_page_async(const std::string& room_id, const std::string& after_user,
                                     std::size_t limit,
                                     std::function<void(std::optional<PresencePage>)> done) {
        done(presence_page(room_id, after_user, limit));
    }
};

}  // namespace parley::messaging
