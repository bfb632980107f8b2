#pragma once
// Who is connected to each room of this node: connections per user, for GetRoomPresence, and
// the users who arrived (first connection) or went (last connection closed) since the last
// look, for the parley:USER_JOINED / parley:USER_LEFT events of ?presence=1 clients.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include "messaging/user_profile.hpp"
#include "model/resources.hpp"

namespace parley::messaging {

struct PresenceUser {
    std::string user_id;
    model::Attributes attributes;  // of the user's first open connection's token
    std::size_t connections = 0;
    std::int64_t connected_since_ms = 0;
};

struct PresencePage {
    std::size_t connection_count = 0;
    std::size_t user_count = 0;
    std::vector<PresenceUser> users;  // by user id, bytewise
    bool more = false;
};

struct PresenceChanges {
    std::string room_id;
    std::vector<std::string> joined, left;
    std::size_t user_count = 0, connection_count = 0;
};

class RoomPresence {
  public:
    // Thread-safe. `listens`: the connection asked for presence events (?presence=1). A user's
    // first connection's profile is kept (shared, not copied) while the user is connected.
    void connected(const std::string& room_id, const UserProfilePtr& who, bool listens,
                   std::int64_t now_ms);
    // The same with a profile made here (tests, callers without a session).
    void connected(const std::string& room_id, std::string_view user_id,
                   model::Attributes attributes, bool listens, std::int64_t now_ms) {
        connected(room_id, UserProfile::make(user_id, std::move(attributes)), listens, now_ms);
    }
    void disconnected(const std::string& room_id, std::string_view user_id, bool listens);
    // Users after `after_user` (bytewise), at most `limit`; the counts are the room's.
    PresencePage page(const std::string& room_id, const std::string& after_user,
                      std::size_t limit) const;
    // The net arrivals and departures since the last call, of rooms with a listener: a user
    // who came and went in between (or went and came back) is in neither list.
    std::vector<PresenceChanges> take_changes();

    // Cluster mode (--bus redis): arrivals and departures are decided cluster-wide (a user's
    // first / last connection on any node) and come from the bus, so this node's own
    // connections and disconnections no longer make news by themselves.
    void set_shared_events(bool on) { shared_events_ = on; }
    // A user's first connection (joined) or last disconnection cluster-wide, with the room's
    // cluster-wide counts after it; kept only for rooms with a listener on this node.
    void note_shared_change(const std::string& room_id, const std::string& user_id, bool joined,
                            std::size_t user_count, std::size_t connection_count);

  private:
    enum class Pending { Joined, Left };
    // A connected user: the first connection's profile (shared with that session, so the id
    // and attributes are stored once), the counts and the id's hash; 24 bytes a slot of an
    // open-addressing set keyed by user id. A join is one hash and about one probe, and growing
    // rehashes from the stored hashes without touching a profile. (A tree ordered for
    // GetRoomPresence's pages cost ~14 compares, each a cache miss into a profile, on every
    // connect to a big room; pages sort what they return instead, see page().)
    struct Member {
        UserProfilePtr profile;
        std::int64_t connected_since_ms = 0;
        mutable std::uint32_t connections = 0;  // not part of the key
        std::uint32_t hash = 0;                 // UserIdHash of the id
        std::string_view user_id() const { return profile->user_id(); }
    };
    struct UserIdHash {
        using is_transparent = void;
        static std::uint32_t of(std::string_view id) {
            return static_cast<std::uint32_t>(std::hash<std::string_view>{}(id));
        }
        std::size_t operator()(std::string_view id) const { return of(id); }
        std::size_t operator()(const Member& m) const { return m.hash; }
    };
    struct SameUserId {
        using is_transparent = void;
        static std::string_view id(const Member& m) { return m.user_id(); }
        static std::string_view id(std::string_view s) { return s; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return id(a) == id(b);
        }
    };
    struct Room {
        boost::unordered_flat_set<Member, UserIdHash, SameUserId> users;
        std::size_t connections = 0;
        std::size_t listeners = 0;
        std::map<std::string, Pending, std::less<>> pending;
        std::size_t shared_users = 0, shared_connections = 0;  // cluster-wide, from the bus
    };
    // Netting: `user` arrived (true) or left; a pending opposite change cancels out.
    static void note_change(Room& room, std::string_view user_id, bool joined);
    bool shared_events_ = false;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Room> rooms_;
};

}  // namespace parley::messaging
