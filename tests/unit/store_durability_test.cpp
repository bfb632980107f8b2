#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::sample_logging_configuration;
using test::sample_room;
using test::TemporaryDirectory;

TEST(StoreDurabilityTest, EverythingSurvivesCloseAndReopen) {
    TemporaryDirectory dir;
    const model::Room room = sample_room("persist00001");
    const auto config = sample_logging_configuration(
        "persist00001", model::CloudWatchLogsDestinationConfiguration{"/group"});
    {
        const auto store = open_sqlite_store(dir.database());
        store->insert_room(room);
        store->insert_room(sample_room("persist00002"));
        store->insert_logging_configuration(config);
        EXPECT_TRUE(store->delete_room("persist00002"));
    }
    const auto store = open_sqlite_store(dir.database());
    EXPECT_EQ(*store->find_room(room.id), room);
    EXPECT_FALSE(store->find_room("persist00002").has_value());
    EXPECT_EQ(*store->find_logging_configuration(config.id), config);
    EXPECT_EQ(store->count_rooms(), 1u);
    EXPECT_EQ(store->count_logging_configurations(), 1u);
}

// A response goes out right after insert returns; a kill -9 at that instant must not lose it.
TEST(StoreDurabilityTest, InsertSurvivesSigkillRightAfterReturn) {
    TemporaryDirectory dir;
    const model::Room room = sample_room("crash0000001");

    const pid_t child = fork();
    ASSERT_NE(child, -1);
    if (child == 0) {
        try {
            const auto store = open_sqlite_store(dir.database());
            store->insert_room(room);
            std::raise(SIGKILL);  // no destructor, no close, no checkpoint
        } catch (...) {
        }
        _exit(3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);

    const auto store = open_sqlite_store(dir.database());
    const auto found = store->find_room(room.id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, room);
}

}  // namespace
}  // namespace parley::store
