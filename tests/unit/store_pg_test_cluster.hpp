#pragma once
// A real PostgreSQL for the store unit tests (never a mock): the cluster named by
// PARLEY_TEST_PG_URL (scripts/run-tests.sh starts one for the whole run), else one started for
// this process with tests/lib/postgres.sh and stopped at exit. Each test gets a fresh database.
// When PostgreSQL is not installed the tests skip, saying so.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "store/pg_connection.hpp"
#include "store/pg_url.hpp"

namespace parley::store::test {

class PgTestCluster {
  public:
    static PgTestCluster& instance() {
        static PgTestCluster cluster;
        return cluster;
    }
    // Empty when there is no PostgreSQL to test against (why() says why).
    const std::string& base_url() const { return base_url_; }
    const std::string& why() const { return why_; }

    // A new, empty database; returns its URL.
    std::string create_database() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        std::string name = "t_" + std::to_string(rd()) + "_" + std::to_string(counter++);
        PgConnection admin(PgUrl::parse(base_url_ + "/postgres"));
        admin.exec("CREATE DATABASE " + name);
        return base_url_ + "/" + name;
    }

    ~PgTestCluster() {
        if (!dir_.empty()) {
            std::string cmd = script() + " stop '" + dir_ + "' >/dev/null 2>&1";
            [[maybe_unused]] int rc = std::system(cmd.c_str());
        }
    }

  private:
    static std::string script() {
        return std::string(PARLEY_SOURCE_DIR) + "/tests/lib/postgres.sh";
    }

    PgTestCluster() {
        if (const char* url = std::getenv("PARLEY_TEST_PG_URL"); url && *url) {
            base_url_ = url;
            return;
        }
        if (std::system((script() + " available").c_str()) != 0) {
            why_ =
                "PostgreSQL 15 binaries not found (/usr/lib/postgresql/15/bin); "
                "apt-get install postgresql to run the PostgreSQL store tests";
            return;
        }
        FILE* out = popen((script() + " start").c_str(), "r");
        if (!out) {
            why_ = "cannot run tests/lib/postgres.sh";
            return;
        }
        char line[512];
        std::string lines[2];
        for (auto& l : lines) {
            if (fgets(line, sizeof line, out)) {
                l = line;
                while (!l.empty() && l.back() == '\n') l.pop_back();
            }
        }
        const int rc = pclose(out);
        if (rc != 0 || lines[1].empty()) {
            why_ = "tests/lib/postgres.sh start failed";
            return;
        }
        dir_ = lines[0];
        base_url_ = lines[1];
    }

    std::string base_url_;
    std::string dir_;
    std::string why_;
};

// Skips the calling test, with the reason printed, when there is no PostgreSQL.
#define PARLEY_REQUIRE_POSTGRES()                                                   \
    do {                                                                            \
        if (::parley::store::test::PgTestCluster::instance().base_url().empty())    \
            GTEST_SKIP() << ::parley::store::test::PgTestCluster::instance().why(); \
    } while (0)

}  // namespace parley::store::test
