// Shared token keys against a real PostgreSQL: two nodes open each other's tokens, a rotated
// key is loaded everywhere before it seals, and a node with another master key refuses to start.
#include <gtest/gtest.h>

#include <ctime>

#include "server/shared_token_keys.hpp"
#include "store/pg_store.hpp"
#include "store_pg_test_cluster.hpp"
#include "token/key_wrap.hpp"
#include "token/token_sealer.hpp"

namespace parley::server {
namespace {

using store::test::PgTestCluster;

token::KeyBytes master(char c) {
    return *token::parse_hex_key(std::string(64, c));
}

token::ChatTokenClaims claims() {
    token::ChatTokenClaims c;
    c.room_arn = "arn:aws:ivschat:us-east-1:123456789012:room/AbCdEf123456";
    c.user_id = "alice";
    c.session_duration_minutes = 60;
    c.issued_at_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    c.token_expires_at_ms = c.issued_at_ms + 3600 * 1000;
    c.token_id = token::new_token_id();
    return c;
}

class SharedTokenKeysTest : public ::testing::Test {
  protected:
    void SetUp() override {
        PARLEY_REQUIRE_POSTGRES();
        url = store::PgUrl::parse(PgTestCluster::instance().create_database());
        db_a = store::open_pg_store(url);
        db_b = store::open_pg_store(url);
    }
    store::PgUrl url;
    std::unique_ptr<store::PgStore> db_a, db_b;
    store::TokenKeyPolicy policy{.rotate_after = std::chrono::hours(24),
                                 .activation_delay = std::chrono::seconds(60),
                                 .retain = std::chrono::minutes(65)};
};

TEST_F(SharedTokenKeysTest, EveryNodeOpensTokensSealedByAnother) {
    SharedTokenKeys a(db_a->pool(), master('1'), policy);
    SharedTokenKeys b(db_b->pool(), master('1'), policy);
    a.start();
    b.start();
    EXPECT_EQ(a.ring()->active().id, b.ring()->active().id);
    token::TokenSealer seal_a(a.ring()), seal_b(b.ring());
    const auto c = claims();
    EXPECT_TRUE(seal_b.open(seal_a.seal(c), c.issued_at_ms).ok());
    EXPECT_TRUE(seal_a.open(seal_b.seal(c), c.issued_at_ms).ok());
}

TEST_F(SharedTokenKeysTest, ARotatedKeyIsLoadedEverywhereBeforeItSeals) {
    SharedTokenKeys a(db_a->pool(), master('2'), policy);
    SharedTokenKeys b(db_b->pool(), master('2'), policy);
    a.start();
    b.start();
    const auto old_id = a.ring()->active().id;
    // A rotation from "a day later": the new key activates a minute after that, so here it
    // is pending: loaded for opening, not sealing.
    auto wrap = [](std::uint32_t id) {
        return token::wrap_key(master('2'), id, token::random_key_bytes());
    };
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto added = store::maintain_token_keys(db_a->pool(), now + 24 * 3600, policy, wrap);
    ASSERT_TRUE(added.has_value());
    a.reload_noexcept();
    b.reload_noexcept();
    for (auto* node : {&a, &b}) {
        EXPECT_EQ(node->ring()->active().id, old_id);
        EXPECT_TRUE(node->ring()->find(*added).has_value());
    }
}

TEST_F(SharedTokenKeysTest, AnotherMasterKeyIsRefused) {
    SharedTokenKeys a(db_a->pool(), master('3'), policy);
    a.start();
    SharedTokenKeys b(db_b->pool(), master('4'), policy);
    try {
        b.start();
        FAIL() << "started with another master key";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("master key"), std::string::npos) << e.what();
    }
}

TEST(KeyWrapTest, RoundTripsAndRejectsTampering) {
    const auto key = token::random_key_bytes();
    auto wrapped = token::wrap_key(master('5'), 7, key);
    EXPECT_EQ(token::unwrap_key(master('5'), 7, wrapped), key);
    EXPECT_FALSE(token::unwrap_key(master('6'), 7, wrapped).has_value());
    EXPECT_FALSE(token::unwrap_key(master('5'), 8, wrapped).has_value());  // moved to another id
    wrapped[20] ^= 1;
    EXPECT_FALSE(token::unwrap_key(master('5'), 7, wrapped).has_value());
    EXPECT_FALSE(token::parse_hex_key("abc").has_value());
    EXPECT_TRUE(token::parse_hex_key(std::string(64, 'F') + "\n").has_value());
}

}  // namespace
}  // namespace parley::server
