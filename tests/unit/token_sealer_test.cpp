#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "token/token_sealer.hpp"

namespace fs = std::filesystem;
using namespace parley::token;

namespace {

constexpr std::int64_t kIssued = 1'705'677'755'000;  // 2024-01-19T15:22:35Z
constexpr std::int64_t kExpires = kIssued + 3'600'000;
const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

ChatTokenClaims full_claims() {
    ChatTokenClaims c;
    c.room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6";
    c.user_id = "user-42 😀 Ünïcødé";
    c.capabilities = {"SEND_MESSAGE", "DISCONNECT_USER", "DELETE_MESSAGE"};
    c.attributes = {{"displayName", "Zoë 🎉"},
                    {"avatar", "https://example.com/a.png"},
                    {"ключ", "значение"},
                    {"", ""}};
    c.session_duration_minutes = 180;
    c.issued_at_ms = kIssued;
    c.token_expires_at_ms = kExpires;
    c.token_id = "00112233445566778899aabbccddeeff";
    return c;
}

ChatTokenClaims typical_claims() {
    ChatTokenClaims c;
    c.room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6";
    c.user_id = "3f2a8c1e-9b7d-4e2f-a1c3-5d6e7f8a9b0c";
    c.capabilities = {"SEND_MESSAGE"};
    c.attributes = {{"displayName", "Somebody Someone"}, {"avatarUrl", "https://x.io/a/123.png"}};
    c.issued_at_ms = kIssued;
    c.token_expires_at_ms = kExpires;
    return c;
}

// Test-side base64url (no padding), independent of the sealer's.
std::string b64_decode(const std::string& s) {
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char ch : s) {
        buf = buf << 6 | static_cast<unsigned>(kAlphabet.find(ch));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xFF));
        }
    }
    return out;
}
std::string b64_encode(const std::string& bytes) {
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buf = buf << 8 | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(buf >> bits) & 63]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buf << (6 - bits)) & 63]);
    return out;
}

void expect_rejected(const OpenResult& r, const std::string& what) {
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_FALSE(r.claims.has_value()) << what;
    EXPECT_NE(r.error, TokenError::Expired) << what;
}

class TokenSealerTest : public ::testing::Test {
  protected:
    std::shared_ptr<KeyRing> ring_ = KeyRing::ephemeral();
    TokenSealer sealer_{ring_};
};

TEST(ChatTokenClaims, Helpers) {
    auto c = full_claims();
    EXPECT_TRUE(c.has_capability("DELETE_MESSAGE"));
    c.capabilities = {"SEND_MESSAGE"};
    EXPECT_FALSE(c.has_capability("DELETE_MESSAGE"));
    EXPECT_FALSE(c.has_capability("send_message"));
    EXPECT_EQ(c.session_expires_at_ms(), kIssued + 180 * 60'000);
}

TEST(TokenError, Names) {
    EXPECT_EQ(to_string(TokenError::Malformed), "Malformed");
    EXPECT_EQ(to_string(TokenError::UnknownKey), "UnknownKey");
    EXPECT_EQ(to_string(TokenError::Tampered), "Tampered");
    EXPECT_EQ(to_string(TokenError::Expired), "Expired");
}

TEST(NewTokenId, IsRandomLowerHex) {
    auto a = new_token_id(), b = new_token_id();
    EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{32}")));
    EXPECT_NE(a, b);
}

TEST(TokenSealerCtor, RejectsNullRing) {
    EXPECT_THROW(TokenSealer(nullptr), std::invalid_argument);
}

TEST_F(TokenSealerTest, RoundTripsEveryField) {
    auto c = full_claims();
    auto r = sealer_.open(sealer_.seal(c), kIssued);
    ASSERT_TRUE(r.ok()) << to_string(r.error);
    EXPECT_EQ(*r.claims, c);
}

TEST_F(TokenSealerTest, RoundTripsEmptyCollectionsAndOddValues) {
    ChatTokenClaims c;
    c.room_arn = "arn:aws:ivschat:eu-west-1:000000000000:room/AAAAAAAAAAAA";
    c.user_id = "u";
    c.session_duration_minutes = 1;
    c.issued_at_ms = kIssued;
    c.token_expires_at_ms = kIssued + 60'000;
    c.token_id = "Custom_ID-not-hex";  // kept verbatim
    auto r = sealer_.open(sealer_.seal(c), kIssued);
    ASSERT_TRUE(r.ok()) << to_string(r.error);
    EXPECT_EQ(*r.claims, c);

    c.capabilities = {"DELETE_MESSAGE", "SOME_FUTURE_CAPABILITY", "SEND_MESSAGE"};  // order kept
    c.token_id = "00112233445566778899AABBCCDDEEFF";  // upper case kept
    c.attributes = {{"k", std::string(1000, 'v')}};
    c.issued_at_ms = 0;
    c.token_expires_at_ms = std::numeric_limits<std::int64_t>::max();
    r = sealer_.open(sealer_.seal(c), 0);
    ASSERT_TRUE(r.ok()) << to_string(r.error);
    EXPECT_EQ(*r.claims, c);
}

TEST_F(TokenSealerTest, EmptyTokenIdGetsAFreshRandomOne) {
    auto c = typical_claims();
    auto a = sealer_.open(sealer_.seal(c), kIssued);
    auto b = sealer_.open(sealer_.seal(c), kIssued);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(std::regex_match(a.claims->token_id, std::regex("[0-9a-f]{32}")));
    EXPECT_NE(a.claims->token_id, b.claims->token_id);
    a.claims->token_id.clear();
    EXPECT_EQ(*a.claims, c);
}

TEST_F(TokenSealerTest, TokenIsShortOpaqueRfc7230TokenAndNeverRepeats) {
    auto c = typical_claims();
    auto t = sealer_.seal(c);
    EXPECT_LT(t.size(), 400u) << t;
    EXPECT_TRUE(std::regex_match(t, std::regex("^[!#$%&'*+\\-.0-9A-Z^_`|a-z~]+$")));
    EXPECT_TRUE(std::regex_match(t, std::regex("^[A-Za-z0-9_-]+$")));
    auto raw = b64_decode(t);
    EXPECT_EQ(raw[0], 1);  // version
    for (const std::string& secret : {c.room_arn, c.user_id, std::string("displayName"),
                                      std::string("SEND_MESSAGE"), std::string("123456789012")}) {
        EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
        EXPECT_EQ(t.find(secret), std::string::npos) << secret;
    }
    c.token_id = "00112233445566778899aabbccddeeff";
    EXPECT_NE(sealer_.seal(c), sealer_.seal(c));  // fresh nonce every time
}

TEST_F(TokenSealerTest, EveryFlippedByteIsRejected) {
    auto raw = b64_decode(sealer_.seal(full_claims()));
    for (std::size_t i = 0; i < raw.size(); ++i) {
        for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
            auto bad = raw;
            bad[i] = static_cast<char>(bad[i] ^ mask);
            expect_rejected(sealer_.open(b64_encode(bad), kIssued),
                            "byte " + std::to_string(i) + " mask " + std::to_string(mask));
        }
    }
}

TEST_F(TokenSealerTest, EveryChangedCharacterIsRejected) {
    auto t = sealer_.seal(typical_claims());
    for (std::size_t i = 0; i < t.size(); ++i) {
        for (char ch : kAlphabet + "=+/.~ ") {
            if (ch == t[i]) continue;
            auto bad = t;
            bad[i] = ch;
            expect_rejected(sealer_.open(bad, kIssued), "char " + std::to_string(i));
        }
    }
}

TEST_F(TokenSealerTest, TamperedBodyReportsTampered) {
    auto raw = b64_decode(sealer_.seal(typical_claims()));
    raw[20] ^= 0x10;  // inside the ciphertext
    EXPECT_EQ(sealer_.open(b64_encode(raw), kIssued).error, TokenError::Tampered);
    raw = b64_decode(sealer_.seal(typical_claims()));
    raw[0] = 2;  // unknown version
    EXPECT_EQ(sealer_.open(b64_encode(raw), kIssued).error, TokenError::Malformed);
}

TEST_F(TokenSealerTest, TruncatedAndExtendedTokensAreRejected) {
    auto t = sealer_.seal(typical_claims());
    for (std::size_t n = 0; n < t.size(); ++n) {
        expect_rejected(sealer_.open(t.substr(0, n), kIssued), "prefix " + std::to_string(n));
        expect_rejected(sealer_.open(t.substr(n + 1), kIssued), "suffix " + std::to_string(n));
    }
    for (const char* tail : {"A", "AA", "AAA", "AAAA", "=", "=="}) {
        expect_rejected(sealer_.open(t + tail, kIssued), tail);
    }
    auto raw = b64_decode(t);
    expect_rejected(sealer_.open(b64_encode(raw + '\0'), kIssued), "extra byte");
    expect_rejected(sealer_.open(b64_encode(raw.substr(0, raw.size() - 1)), kIssued), "short");
}

TEST_F(TokenSealerTest, GarbageIsMalformed) {
    const std::string cases[] = {
        "",
        "A",
        "AAAA",
        "not a token",
        "abc$def",
        "AQICAHgm5DC1V25pBVEhXdu--",
        "AQID/+==",
        std::string(100, '='),
        std::string("\0\0\0\0", 4),
        "ÄÖÜ😀",
        std::string(kMaxTokenChars + 4, 'A'),
        b64_encode(std::string(30, '\x01')),  // right version, key 1, junk: fails the tag
    };
    for (const auto& s : cases) {
        auto r = sealer_.open(s, kIssued);
        expect_rejected(r, s.substr(0, 40));
        if (s.size() < 40) {
            EXPECT_EQ(r.error, TokenError::Malformed) << s;
        }
    }
    std::mt19937 rng(42);
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 300, 'A');
        for (auto& ch : s) ch = kAlphabet[rng() % 64];
        if (s.size() >= 2) s[0] = 'A', s[1] = 'Q';  // version 1, to get past the first check
        expect_rejected(sealer_.open(s, kIssued), s);
    }
}

TEST_F(TokenSealerTest, TokenFromAnotherRingIsRejected) {
    auto other_ring = KeyRing::ephemeral();
    TokenSealer other(other_ring);
    auto r = sealer_.open(other.seal(typical_claims()), kIssued);
    expect_rejected(r, "other ring");
    EXPECT_TRUE(r.error == TokenError::Tampered || r.error == TokenError::UnknownKey);

    auto dir = fs::temp_directory_path() / ("parley-sealer-" + std::to_string(::getpid()));
    other_ring->rotate(dir / "keys");  // key id 2, which ring_ does not have
    r = sealer_.open(other.seal(typical_claims()), kIssued);
    EXPECT_EQ(r.error, TokenError::UnknownKey);
    fs::remove_all(dir);
}

// Each thread keeps its cipher keyed while the key stays the same: switching keys back and
// forth, in both directions, and a failed open in between must never use a stale key.
TEST_F(TokenSealerTest, AlternatingKeysSealAndOpenOnOneThread) {
    TokenSealer other(KeyRing::ephemeral());
    for (int round = 0; round < 3; ++round) {
        auto mine = sealer_.seal(full_claims());
        auto theirs = other.seal(typical_claims());
        auto r = sealer_.open(mine, kIssued);
        ASSERT_TRUE(r.ok()) << round;
        EXPECT_EQ(r.claims->user_id, full_claims().user_id);
        expect_rejected(other.open(mine, kIssued), "mine opened by the other ring");
        r = other.open(theirs, kIssued);
        ASSERT_TRUE(r.ok()) << round;
        EXPECT_EQ(r.claims->user_id, typical_claims().user_id);
        expect_rejected(sealer_.open(theirs, kIssued), "theirs opened by my ring");
        EXPECT_TRUE(sealer_.open(mine, kIssued).ok()) << round;
    }
}

TEST_F(TokenSealerTest, ExpiredTokenIsRejected) {
    auto t = sealer_.seal(typical_claims());
    EXPECT_TRUE(sealer_.open(t, kIssued - 5000).ok());  // a little clock skew is fine
    EXPECT_TRUE(sealer_.open(t, kExpires - 1).ok());
    auto r = sealer_.open(t, kExpires);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error, TokenError::Expired);
    EXPECT_EQ(sealer_.open(t, kExpires + 86'400'000).error, TokenError::Expired);
}

class TokenRotationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("parley-rotation-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(std::random_device{}()));
        file_ = dir_ / "keys";
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_, file_;
};

TEST_F(TokenRotationTest, OldTokensOpenAfterRotateAndReload) {
    auto ring = KeyRing::load_or_create(file_);
    TokenSealer sealer(ring);
    auto old_token = sealer.seal(typical_claims());
    auto old_id = ring->active().id;

    auto new_id = ring->rotate(file_);
    auto new_token = sealer.seal(typical_claims());
    EXPECT_EQ(static_cast<unsigned char>(b64_decode(old_token)[1]), old_id);
    EXPECT_EQ(static_cast<unsigned char>(b64_decode(new_token)[1]), new_id);
    EXPECT_NE(old_id, new_id);
    EXPECT_TRUE(sealer.open(old_token, kIssued).ok());
    EXPECT_TRUE(sealer.open(new_token, kIssued).ok());

    TokenSealer reloaded(KeyRing::load_or_create(file_));
    EXPECT_TRUE(reloaded.open(old_token, kIssued).ok());
    EXPECT_TRUE(reloaded.open(new_token, kIssued).ok());
    EXPECT_EQ(static_cast<unsigned char>(b64_decode(reloaded.seal(typical_claims()))[1]), new_id);

    ring->prune(file_, std::chrono::seconds(0), std::time(nullptr) + 10);
    EXPECT_EQ(sealer.open(old_token, kIssued).error, TokenError::UnknownKey);
    EXPECT_TRUE(sealer.open(new_token, kIssued).ok());
}

TEST_F(TokenRotationTest, SealAndOpenConcurrentlyWithRotation) {
    auto ring = KeyRing::load_or_create(file_);
    TokenSealer sealer(ring);
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, rounds{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t) {
        workers.emplace_back([&] {
            auto c = full_claims();
            while (!stop.load()) {
                auto r = sealer.open(sealer.seal(c), kIssued);
                if (!r.ok() || r.claims->user_id != c.user_id) ++failures;
                ++rounds;
            }
        });
    }
    for (int i = 0; i < 20; ++i) ring->rotate(file_);
    while (rounds.load() < 2000) std::this_thread::yield();
    stop = true;
    for (auto& w : workers) w.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
