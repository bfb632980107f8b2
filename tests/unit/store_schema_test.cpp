#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>

#include "store/schema_migrations.hpp"
#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"

namespace parley::store {
namespace {

using test::sample_room;
using test::TemporaryDirectory;

// A plain connection, to look at the file the way another tool would.
class RawDatabase {
  public:
    explicit RawDatabase(const std::filesystem::path& file) {
        if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open");
    }
    ~RawDatabase() { sqlite3_close(db_); }
    RawDatabase(const RawDatabase&) = delete;
    RawDatabase& operator=(const RawDatabase&) = delete;

    std::string text(const char* sql) const {
        sqlite3_stmt* stmt = nullptr;
        std::string result;
        if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW) {
            if (const auto* data = sqlite3_column_text(stmt, 0)) {
                result = reinterpret_cast<const char*>(data);
            }
        }
        sqlite3_finalize(stmt);
        return result;
    }
    std::set<std::string> tables() const {
        sqlite3_stmt* stmt = nullptr;
        std::set<std::string> names;
        sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt,
                           nullptr);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            names.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        }
        sqlite3_finalize(stmt);
        return names;
    }
    void execute(const char* sql) const {
        ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_);
    }

  private:
    sqlite3* db_ = nullptr;
};

TEST(StoreSchemaTest, FreshDatabaseIsCreatedWithDirectoriesAndLatestSchema) {
    TemporaryDirectory dir;
    const auto file = dir.path() / "a" / "b" / "parley.db";
    open_sqlite_store(file);
    ASSERT_TRUE(std::filesystem::exists(file));

    RawDatabase raw(file);
    EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(latest_schema_version()));
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");  // persistent in the file
    const std::set<std::string> expected = {"rooms", "room_logging_configurations",
                                            "logging_configurations", "tags",
                                            "room_messages"};  // message history (v2)
    EXPECT_EQ(raw.tables(), expected);
}

TEST(StoreSchemaTest, ReopenDoesNotMigrateAgainAndKeepsData) {
    TemporaryDirectory dir;
    open_sqlite_store(dir.database())->insert_room(sample_room("reopen000001"));
    // A second run of migration 1 would fail on CREATE TABLE; reopening must not attempt it.
    for (int i = 0; i < 2; ++i) {
        const auto store = open_sqlite_store(dir.database());
        EXPECT_EQ(store->count_rooms(), 1u);
        EXPECT_EQ(*store->find_room("reopen000001"), sample_room("reopen000001"));
    }
    EXPECT_EQ(RawDatabase(dir.database()).text("PRAGMA user_version"),
              std::to_string(latest_schema_version()));
}

TEST(StoreSchemaTest, NewerSchemaVersionIsRefusedAndLeftAlone) {
    TemporaryDirectory dir;
    open_sqlite_store(dir.database())->insert_room(sample_room("future000001"));
    const std::string newer = std::to_string(latest_schema_version() + 1);
    RawDatabase(dir.database()).execute(("PRAGMA user_version = " + newer).c_str());

    try {
        open_sqlite_store(dir.database());
        FAIL() << "opened a database from the future";
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("schema version " + newer), std::string::npos) << message;
        EXPECT_NE(message.find("newer"), std::string::npos) << message;
    }
    EXPECT_EQ(RawDatabase(dir.database()).text("PRAGMA user_version"), newer);
}

TEST(StoreSchemaTest, FileThatIsNotADatabaseThrows) {
    TemporaryDirectory dir;
    const auto file = dir.path() / "garbage.db";
    std::ofstream(file) << std::string(4096, 'x');
    try {
        open_sqlite_store(file);
        FAIL() << "opened garbage";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("not a database"), std::string::npos)
            << error.what();
    }
}

TEST(StoreSchemaTest, UnusablePathThrows) {
    TemporaryDirectory dir;
    std::ofstream(dir.path() / "file") << "x";
    // The parent "directory" is a regular file.
    EXPECT_THROW(open_sqlite_store(dir.path() / "file" / "parley.db"), std::runtime_error);
    // The database path is a directory.
    std::filesystem::create_directories(dir.path() / "dir.db");
    EXPECT_THROW(open_sqlite_store(dir.path() / "dir.db"), std::runtime_error);
}

TEST(StoreSchemaTest, ForeignKeysCascadeLinksOfADeletedRoom) {
    TemporaryDirectory dir;
    open_sqlite_store(dir.database())->insert_room(sample_room("cascade00001"));
    {
        RawDatabase raw(dir.database());
        raw.execute("PRAGMA foreign_keys = ON");
        raw.execute("DELETE FROM rooms WHERE id = 'cascade00001'");
        EXPECT_EQ(raw.text("SELECT COUNT(*) FROM room_logging_configurations"), "0");
    }
}

}  // namespace
}  // namespace parley::store
