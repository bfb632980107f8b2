// Opening a PostgreSQL store: migrations run once even when nodes start together, a newer
// schema is refused, an unreachable server is a clear error, and URLs never leak passwords.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store/pg_schema_migrations.hpp"
#include "store/pg_store.hpp"
#include "store_pg_test_cluster.hpp"

namespace parley::store {
namespace {

using test::PgTestCluster;

TEST(PgUrlTest, ParsesAndRedacts) {
    auto url = PgUrl::parse("postgresql://alice:s3cret@db.example:6543/parley");
    EXPECT_EQ(url.host, "db.example");
    EXPECT_EQ(url.port, "6543");
    EXPECT_EQ(url.database, "parley");
    EXPECT_EQ(url.user, "alice");
    EXPECT_EQ(url.redacted(), "postgresql://alice@db.example:6543/parley");
    EXPECT_EQ(url.redacted().find("s3cret"), std::string::npos);
    auto defaults = PgUrl::parse("postgresql://bob@localhost/x");
    EXPECT_EQ(defaults.port, "5432");
}

TEST(PgUrlTest, RejectsOtherSchemesWithoutEchoingThePassword) {
    try {
        PgUrl::parse("mysql://u:hunter2@h/d");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
    }
}

TEST(PgUrlTest, ParseErrorsDoNotQuoteThePassword) {
    // libpq's own message would quote the bad token, here the password.
    try {
        PgUrl::parse("postgresql://u:hunt%zz2@h/d");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find("hunt"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("percent-encoded"), std::string::npos) << e.what();
    }
}

TEST(PgStoreOpenTest, UnreachableServerNamesHostAndPort) {
    // Port 1 on loopback: nothing listens there.
    try {
        open_pg_store(PgUrl::parse("postgresql://parley:pw@127.0.0.1:1/parley"));
        FAIL() << "connected to port 1?";
    } catch (const Unavailable& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("127.0.0.1:1"), std::string::npos) << what;
        EXPECT_EQ(what.find(":pw@"), std::string::npos) << what;
    }
}

TEST(PgStoreOpenTest, NodesStartingTogetherMigrateOnce) {
    PARLEY_REQUIRE_POSTGRES();
    auto url = PgUrl::parse(PgTestCluster::instance().create_database());
    std::vector<std::thread> nodes;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        nodes.emplace_back([&] {
            try {
                open_pg_store(url);
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& n : nodes) n.join();
    EXPECT_EQ(failures.load(), 0);
    PgConnection conn(url);
    auto rows = conn.exec("SELECT count(*), max(version) FROM schema_version");
    EXPECT_EQ(rows.int64(0, 0), latest_pg_schema_version());
    EXPECT_EQ(rows.int64(0, 1), latest_pg_schema_version());
}

TEST(PgStoreOpenTest, RefusesANewerSchema) {
    PARLEY_REQUIRE_POSTGRES();
    auto url = PgUrl::parse(PgTestCluster::instance().create_database());
    open_pg_store(url);
    {
        PgConnection conn(url);
        conn.exec("INSERT INTO schema_version (version) VALUES ($1)",
                  {std::to_string(latest_pg_schema_version() + 1)});
    }
    try {
        open_pg_store(url);
        FAIL() << "opened a newer schema";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("newer than this Parley supports"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace parley::store
