#include "messaging/live_room_control.hpp"

#include <charconv>

#include "model/clock_format.hpp"

namespace parley::messaging {

// One node's history (RoomHistory): answered at once; the cursor is the message's seq.
void LiveRoomControl::history_page(const std::string& room_id, const std::string& before_cursor,
                                   std::size_t limit, std::int64_t start_ns, std::int64_t end_ns,
                                   std::function<void(HistoryPageResult)> done) {
    HistoryPageResult out;
    const RoomHistory* h = history();
    if (!h) return done(std::move(out));
    out.enabled = true;
    std::uint64_t before = 0;
    std::from_chars(before_cursor.data(), before_cursor.data() + before_cursor.size(), before);
    for (auto& e : h->page(room_id, before, limit, start_ns, end_ns, model::now_nanos()))
        out.items.push_back(
            HistoryPageItem{std::to_string(e.seq), std::move(e.message_id), std::move(e.json)});
    done(std::move(out));
}

}  // namespace parley::messaging
