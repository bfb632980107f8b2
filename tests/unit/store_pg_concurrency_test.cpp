// Two "nodes" (two PgStore instances, each with its own pool) on one database: the rules that
// must hold across nodes are decided by PostgreSQL, not by any process-local lock.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/pg_store.hpp"
#include "store_pg_test_cluster.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::PgTestCluster;
using test::sample_logging_configuration;
using test::sample_room;

class PgConcurrencyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        PARLEY_REQUIRE_POSTGRES();
        auto url = PgUrl::parse(PgTestCluster::instance().create_database());
        a = open_pg_store(url);
        b = open_pg_store(url);
    }
    std::unique_ptr<PgStore> a, b;
};

std::string id_of(int n) {
    std::string s = std::to_string(n);
    return "r" + std::string(11 - s.size(), '0') + s;
}

TEST_F(PgConcurrencyTest, RoomQuotaHoldsAcrossNodes) {
    constexpr std::size_t kQuota = 10;
    std::atomic<int> inserted{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            Store& store = t % 2 ? *a : *b;
            for (int i = 0; i < 5; ++i) {
                model::Room room = sample_room(id_of(t * 100 + i));
                room.logging_configuration_identifiers.clear();
                if (store.insert_room_within_quota(room, kQuota) == InsertOutcome::Inserted)
                    ++inserted;
                else
                    ++refused;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(inserted.load(), static_cast<int>(kQuota));
    EXPECT_EQ(refused.load(), 40 - static_cast<int>(kQuota));
    EXPECT_EQ(a->count_rooms(), kQuota);
}

TEST_F(PgConcurrencyTest, LoggingConfigurationQuotaHoldsAcrossNodes) {
    std::atomic<int> inserted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            Store& store = t % 2 ? *a : *b;
            for (int i = 0; i < 3; ++i) {
                auto config = sample_logging_configuration(id_of(t * 10 + i),
                                                           model::S3DestinationConfiguration{"b"});
                if (store.insert_logging_configuration_within_quota(config, 5) ==
                    InsertOutcome::Inserted)
                    ++inserted;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(inserted.load(), 5);
    EXPECT_EQ(b->count_logging_configurations(), 5u);
}

// Node A creates rooms that name a configuration while node B deletes it: either the delete
// wins (and no room names it) or it is refused as in use (and it still exists). Never a room
// naming a configuration that is gone.
TEST_F(PgConcurrencyTest, DeleteInUseRacesRoomCreation) {
    for (int round = 0; round < 15; ++round) {
        auto config =
            sample_logging_configuration(id_of(round), model::S3DestinationConfiguration{"b"});
        a->insert_logging_configuration(config);
        std::atomic<bool> deleted{false};
        std::thread creator([&] {
            for (int i = 0; i < 4; ++i) {
                model::Room room = sample_room(id_of(1000 + round * 10 + i));
                room.logging_configuration_identifiers = {config.arn};
                try {
                    a->insert_room(room);
                } catch (const MissingReference&) {
                    // the delete won
                }
            }
        });
        std::thread deleter([&] {
            for (int i = 0; i < 6 && !deleted; ++i) {
                if (b->delete_logging_configuration(config.id) == DeleteOutcome::Deleted)
                    deleted = true;
            }
        });
        creator.join();
        deleter.join();
        const bool exists = a->find_logging_configuration(config.id).has_value();
        EXPECT_EQ(exists, !deleted.load());
        int naming = 0;
        for (const auto& room : a->list_rooms()) {
            const auto& l = room.logging_configuration_identifiers;
            naming += std::count(l.begin(), l.end(), config.arn);
        }
        if (!exists) {
            EXPECT_EQ(naming, 0) << "round " << round;
        }
    }
}

// Concurrent read-modify-writes of one room's tags from both nodes: none is lost.
TEST_F(PgConcurrencyTest, ConcurrentTagChangesAreNotLost) {
    model::Room room = sample_room("tags00000001");
    room.logging_configuration_identifiers.clear();
    room.tags.clear();
    a->insert_room(room);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            Store& store = t % 2 ? *a : *b;
            for (int i = 0; i < 10; ++i) {
                store.modify_room(room.id, [&](model::Room& r) {
                    r.tags["k" + std::to_string(t * 10 + i)] = "v";
                });
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(b->find_room(room.id)->tags.size(), 40u);
}

}  // namespace
}  // namespace parley::store
