#include "store/store.hpp"

#include <algorithm>

namespace parley::store {

namespace {
bool newer_first(const model::Room& a, const model::Room& b) {
    if (a.update_time != b.update_time) return a.update_time > b.update_time;
    return a.id < b.id;
}

bool matches(const RoomPageQuery& q, const model::Room& r) {
    if (q.name && r.name != *q.name) return false;
    if (q.review_handler_uri && (r.message_review_handler ? r.message_review_handler->uri
                                                          : std::string()) != *q.review_handler_uri)
        return false;
    if (q.logging_configuration_arn) {
        const auto& l = r.logging_configuration_identifiers;
        if (std::find(l.begin(), l.end(), *q.logging_configuration_arn) == l.end()) return false;
    }
    if (q.after) {
        const auto& [time, id] = *q.after;
        if (r.update_time > time || (r.update_time == time && r.id <= id)) return false;
    }
    return true;
}
}  // namespace

std::vector<model::Room> Store::list_rooms_page(const RoomPageQuery& query) const {
    auto rooms = list_rooms();
    std::erase_if(rooms, [&](const model::Room& r) { return !matches(query, r); });
    std::sort(rooms.begin(), rooms.end(), newer_first);
    if (rooms.size() > query.limit) rooms.resize(query.limit);
    return rooms;
}

}  // namespace parley::store
