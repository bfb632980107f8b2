#pragma once
// Cluster-wide presence on Redis. Per room R (prefix parley:presence:R):
//   :users  sorted set (all scores 0) of the users present: ZCARD counts, ZRANGEBYLEX pages
//   :conns  hash user -> connections cluster-wide     :total  connections cluster-wide
//   :meta   hash user -> "<connected since ms>\n<attributes JSON>"
//   :node:N hash user -> connections on node N (what to take back if N dies)
// plus parley:presence:node:N (set of N's rooms) and parley:presence:nodes (sorted set of node
// ids by last heartbeat, Redis's clock). Every change is one Lua script, so a user crosses
// 0 <-> 1 connections exactly once and that script publishes the kind-P envelope. Each node
// heartbeats every second; any node counts out a node silent for kStaleMs (kill -9), so its
// users leave within kStaleMs + 1 s. A node whose commands failed (Redis down) or that was
// counted out while cut off puts its record right at its next heartbeat (kPresenceResyncLua).
// Runs on the bus's loop and links; never blocks a loop.
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "bus/redis_bus.hpp"
#include "bus/shared_presence.hpp"

namespace parley::bus {

class RedisPresence final : public SharedPresence {
  public:
    static constexpr std::int64_t kStaleMs = 3000;

    RedisPresence(RedisBus& bus, std::string node_id);
    ~RedisPresence() override;

    void start() override;
    void connected(const std::string& room_id, const std::string& user_id,
                   const model::Attributes& attributes) override;
    void disconnected(const std::string& room_id, const std::string& user_id) override;
    void page(const std::string& room_id, const std::string& after_user, std::size_t limit,
              std::function<void(SharedPresencePage)> done) override;
    // On the bus loop or after it stopped: stop the heartbeat.
    void stop();

  private:
    void tick();
    void resync();  // Redis's record of this node := mine_

    RedisBus& bus_;
    std::string node_id_;
    boost::asio::steady_timer timer_;
    // On the bus loop only.
    bool registered_ = false;   // a heartbeat has reached Redis
    bool out_of_sync_ = false;  // a command failed, or this node was counted out: resync
    struct Mine {
        std::int64_t connections = 0;
        std::string attributes_json;
    };
    std::unordered_map<std::string, std::map<std::string, Mine>> mine_;  // room -> user -> ...
};

}  // namespace parley::bus
