#include <gtest/gtest.h>

#include "bus/bus_envelope.hpp"
#include "bus/redis_url.hpp"

using parley::bus::decode_envelope;
using parley::bus::encode_envelope;
using parley::bus::parse_redis_url;

TEST(RedisUrl, DefaultsAndParts) {
    auto u = parse_redis_url("redis://");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 6379);
    EXPECT_EQ(u->db, 0);
    EXPECT_TRUE(u->password.empty());

    u = parse_redis_url("redis://:s3cret@10.0.0.5:6390/2");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "10.0.0.5");
    EXPECT_EQ(u->port, 6390);
    EXPECT_EQ(u->password, "s3cret");
    EXPECT_EQ(u->db, 2);

    u = parse_redis_url("redis://user:pw@localhost");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->password, "pw");
}

TEST(RedisUrl, Refused) {
    EXPECT_FALSE(parse_redis_url("local"));
    EXPECT_FALSE(parse_redis_url("http://127.0.0.1:6379"));
    EXPECT_FALSE(parse_redis_url("redis://host:0"));
    EXPECT_FALSE(parse_redis_url("redis://host:70000"));
    EXPECT_FALSE(parse_redis_url("redis://host:12ab"));
    EXPECT_FALSE(parse_redis_url("redis://host/x"));
}

TEST(BusEnvelope, RoundTripKeepsTheBodyByteForByte) {
    std::string body = "{\"Type\":\"MESSAGE\",\"Content\":\"a\\nb\"}\n";
    auto wire = encode_envelope("node-1", 'F', body);
    auto env = decode_envelope(wire);
    ASSERT_TRUE(env);
    EXPECT_EQ(env->origin, "node-1");
    EXPECT_EQ(env->kind, 'F');
    EXPECT_EQ(env->body, body);
    auto empty = decode_envelope(encode_envelope("n", 'C', ""));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->body, "");
}

TEST(BusEnvelope, MalformedIsRefused) {
    EXPECT_FALSE(decode_envelope(""));
    EXPECT_FALSE(decode_envelope("no-newline"));
    EXPECT_FALSE(decode_envelope("n\nF"));
    EXPECT_FALSE(decode_envelope("n\nFx"));
}
