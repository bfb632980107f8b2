#include "token/fast_digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace {

using parley::token::DigestAlgorithm;
using parley::token::fast_digest;

std::string hex(const parley::token::DigestBytes& d) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < d.size; ++i) {
        out += kDigits[d.bytes[i] >> 4];
        out += kDigits[d.bytes[i] & 0xF];
    }
    return out;
}

TEST(FastDigest, KnownVectors) {
    EXPECT_EQ(hex(fast_digest(DigestAlgorithm::Sha256, {"abc"})),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex(fast_digest(DigestAlgorithm::Sha1, {"abc"})),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(hex(fast_digest(DigestAlgorithm::Sha256, {""})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(FastDigest, PiecesHashAsTheirConcatenation) {
    EXPECT_EQ(hex(fast_digest(DigestAlgorithm::Sha1, {"a", "", "bc"})),
              hex(fast_digest(DigestAlgorithm::Sha1, {"abc"})));
    // The per-thread context is reused across algorithms and calls.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(fast_digest(DigestAlgorithm::Sha1, {"x"}).size, 20u);
        EXPECT_EQ(fast_digest(DigestAlgorithm::Sha256, {"x"}).size, 32u);
    }
}

TEST(FastDigest, EachThreadHasItsOwnContext) {
    std::string other;
    std::thread t([&] { other = hex(fast_digest(DigestAlgorithm::Sha256, {"abc"})); });
    t.join();
    EXPECT_EQ(other, hex(fast_digest(DigestAlgorithm::Sha256, {"abc"})));
}

}  // namespace
