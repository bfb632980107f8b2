// The change feed (LISTEN/NOTIFY) and the shared token-key table, against a real PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/pg_change_listener.hpp"
#include "store/pg_store.hpp"
#include "store/pg_token_keys.hpp"
#include "store_pg_test_cluster.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::PgTestCluster;
using test::sample_room;

struct Recorder {
    std::mutex mutex;
    std::condition_variable changed_cv;
    std::vector<std::string> events;
    int resyncs = 0;

    PgChangeListener::Handlers handlers() {
        return {.changed =
                    [this](std::string_view kind, std::string_view id) {
                        std::lock_guard lock(mutex);
                        events.push_back(std::string(kind) + " " + std::string(id));
                        changed_cv.notify_all();
                    },
                .resync =
                    [this] {
                        std::lock_guard lock(mutex);
                        ++resyncs;
                        changed_cv.notify_all();
                    },
                .log = [](const std::string&, bool) {}};
    }
    bool wait_for(const std::function<bool()>& done) {
        std::unique_lock lock(mutex);
        return changed_cv.wait_for(lock, std::chrono::seconds(5), done);
    }
};

TEST(PgChangeFeedTest, CommittedWritesAreNotifiedAndRolledBackOnesAreNot) {
    PARLEY_REQUIRE_POSTGRES();
    auto url = PgUrl::parse(PgTestCluster::instance().create_database());
    auto store = open_pg_store(url);
    Recorder recorder;
    PgChangeListener listener(url, recorder.handlers());
    listener.start();
    ASSERT_TRUE(recorder.wait_for([&] { return recorder.resyncs == 1; }));

    model::Room room = sample_room("feed00000001");
    room.logging_configuration_identifiers.clear();
    store->insert_room(room);
    EXPECT_THROW(store->modify_room(room.id, [](model::Room&) { throw std::logic_error("no"); }),
                 std::logic_error);
    store->delete_room(room.id);
    ASSERT_TRUE(recorder.wait_for([&] { return recorder.events.size() >= 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard lock(recorder.mutex);
    EXPECT_EQ(recorder.events,
              (std::vector<std::string>{"room feed00000001", "room feed00000001"}));
    EXPECT_TRUE(listener.connected());
}

TEST(PgChangeFeedTest, ReconnectsAndResyncsAfterTheConnectionIsKilled) {
    PARLEY_REQUIRE_POSTGRES();
    auto url = PgUrl::parse(PgTestCluster::instance().create_database());
    auto store = open_pg_store(url);
    Recorder recorder;
    PgChangeListener listener(url, recorder.handlers());
    listener.start();
    ASSERT_TRUE(recorder.wait_for([&] { return recorder.resyncs == 1; }));
    {
        PgConnection admin(url);
        // What a PostgreSQL restart does to every open connection.
        admin.exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    }
    EXPECT_TRUE(recorder.wait_for([&] { return recorder.resyncs >= 2; }));
}

TEST(PgTokenKeysTest, FirstKeyActiveAtOnceRotationOnceAndPruned) {
    PARLEY_REQUIRE_POSTGRES();
    auto url = PgUrl::parse(PgTestCluster::instance().create_database());
    auto store = open_pg_store(url);
    TokenKeyPolicy policy{.rotate_after = std::chrono::seconds(100),
                          .activation_delay = std::chrono::seconds(60),
                          .retain = std::chrono::seconds(500)};
    auto wrap = [](std::uint32_t id) { return "wrapped-" + std::to_string(id); };
    const std::int64_t t0 = 1'700'000'000;

    EXPECT_EQ(maintain_token_keys(store->pool(), t0, policy, wrap), 1u);
    EXPECT_EQ(maintain_token_keys(store->pool(), t0 + 50, policy, wrap), std::nullopt);
    // Two nodes asking at the same time past the period: one key is added, not two.
    std::optional<std::uint32_t> r1, r2;
    auto other = open_pg_store(url);
    std::thread n1([&] { r1 = maintain_token_keys(store->pool(), t0 + 100, policy, wrap); });
    std::thread n2([&] { r2 = maintain_token_keys(other->pool(), t0 + 100, policy, wrap); });
    n1.join();
    n2.join();
    EXPECT_NE(r1.has_value(), r2.has_value());
    auto keys = load_token_keys(store->pool());
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].activate_s, t0);
    EXPECT_EQ(keys[1].activate_s, t0 + 160);  // pending for the activation delay
    EXPECT_EQ(keys[1].wrapped, "wrapped-2");
    // Key 1 goes once key 2 has been active for `retain`.
    maintain_token_keys(store->pool(), t0 + 160 + 499, policy, wrap);
    EXPECT_EQ(load_token_keys(store->pool()).front().id, 1u);
    maintain_token_keys(store->pool(), t0 + 160 + 500, policy, wrap);
    EXPECT_EQ(load_token_keys(store->pool()).front().id, 2u);
}

}  // namespace
}  // namespace parley::store
