#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "token/key_ring.hpp"

namespace fs = std::filesystem;
using parley::token::KeyRing;

namespace {

class KeyRingTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("parley-keyring-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        file_ = dir_ / "keys";
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& text) { std::ofstream(file_) << text; }
    std::string load_error() {
        try {
            KeyRing::load_or_create(file_);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    }

    fs::path dir_;
    fs::path file_;
};

const std::string kHexKey(64, 'a');

TEST_F(KeyRingTest, CreatesFileWithMode0600AndReloadGivesSameKeys) {
    auto ring = KeyRing::load_or_create(file_);
    ASSERT_TRUE(fs::exists(file_));
    struct stat st {};
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto again = KeyRing::load_or_create(file_);
    EXPECT_EQ(again->ids(), ring->ids());
    EXPECT_EQ(again->active().id, ring->active().id);
    EXPECT_EQ(again->active().bytes, ring->active().bytes);
    // Nothing but the key file is left behind (no temp files).
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

TEST_F(KeyRingTest, CreatesMissingDirectory) {
    auto nested = dir_ / "a" / "b" / "keys";
    auto ring = KeyRing::load_or_create(nested);
    EXPECT_TRUE(fs::exists(nested));
    EXPECT_EQ(ring->ids().size(), 1u);
}

TEST_F(KeyRingTest, FreshKeysDiffer) {
    auto a = KeyRing::load_or_create(file_);
    auto b = KeyRing::ephemeral();
    EXPECT_NE(a->active().bytes, b->active().bytes);
}

TEST_F(KeyRingTest, RotateAddsActiveKeyAndKeepsOldOnes) {
    auto ring = KeyRing::load_or_create(file_);
    auto old = ring->active();
    auto id = ring->rotate(file_);
    EXPECT_NE(id, old.id);
    EXPECT_EQ(ring->active().id, id);
    EXPECT_NE(ring->active().bytes, old.bytes);
    ASSERT_TRUE(ring->find(old.id).has_value());
    EXPECT_EQ(*ring->find(old.id), old.bytes);
    EXPECT_FALSE(ring->find(200).has_value());

    auto reloaded = KeyRing::load_or_create(file_);
    EXPECT_EQ(reloaded->ids(), ring->ids());
    EXPECT_EQ(reloaded->active().id, id);
    EXPECT_EQ(*reloaded->find(old.id), old.bytes);
    struct stat st {};
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(KeyRingTest, PruneDropsOnlyLongRetiredKeys) {
    auto ring = KeyRing::load_or_create(file_);
    auto old_id = ring->active().id;
    auto new_id = ring->rotate(file_);
    std::int64_t now = std::time(nullptr);
    EXPECT_EQ(ring->prune(file_, std::chrono::hours(1), now + 60), 0u);
    EXPECT_TRUE(ring->find(old_id).has_value());
    EXPECT_EQ(ring->prune(file_, std::chrono::hours(1), now + 3700), 1u);
    EXPECT_FALSE(ring->find(old_id).has_value());
    EXPECT_EQ(ring->active().id, new_id);
    EXPECT_EQ(KeyRing::load_or_create(file_)->ids(), std::vector<std::uint32_t>{new_id});
    // The active key is never dropped.
    EXPECT_EQ(ring->prune(file_, std::chrono::seconds(0), now + 100000), 0u);
    EXPECT_EQ(ring->prune(file_, std::chrono::hours(1)), 0u);
}

TEST_F(KeyRingTest, IdsWrapAndAreReusedAfterPrune) {
    auto ring = KeyRing::load_or_create(file_);
    for (int i = 0; i < 255; ++i) ring->rotate(file_);
    EXPECT_EQ(ring->ids().size(), 256u);
    EXPECT_THROW(ring->rotate(file_), std::runtime_error);
    EXPECT_EQ(ring->ids().size(), 256u);  // unchanged by the failed rotation
    std::int64_t now = std::time(nullptr);
    EXPECT_EQ(ring->prune(file_, std::chrono::seconds(1), now + 10), 255u);
    auto id = ring->rotate(file_);
    EXPECT_LE(id, parley::token::kMaxKeyId);
    EXPECT_EQ(KeyRing::load_or_create(file_)->ids().size(), 2u);
}

TEST_F(KeyRingTest, AcceptsCommentsAndBlankLines) {
    write("# keys\n\n  # indented comment\n7 100 0 " + kHexKey + "\r\n3 50 90 " +
          std::string(64, 'B') + "\n");
    auto ring = KeyRing::load_or_create(file_);
    EXPECT_EQ(ring->active().id, 7u);
    EXPECT_EQ(ring->ids(), (std::vector<std::uint32_t>{7, 3}));
    EXPECT_EQ((*ring->find(3))[0], 0xBB);
}

TEST_F(KeyRingTest, CorruptFilesThrowClearErrors) {
    struct Case {
        std::string text;
        std::string expect;
    };
    const Case cases[] = {
        {"", "no keys"},
        {"# only a comment\n", "no keys"},
        {"hello world\n", "line 1: expected 4 fields"},
        {"1 100 0 " + kHexKey + " extra\n", "expected 4 fields"},
        {"x 100 0 " + kHexKey + "\n", "key id"},
        {"256 100 0 " + kHexKey + "\n", "key id"},
        {"-1 100 0 " + kHexKey + "\n", "key id"},
        {"1 abc 0 " + kHexKey + "\n", "creation time"},
        {"1 100 -5 " + kHexKey + "\n", "retirement time"},
        {"1 100 0 abcd\n", "64 hex"},
        {"1 100 0 " + std::string(63, 'a') + "g\n", "64 hex"},
        {"1 100 0 " + kHexKey + "\n1 100 5 " + kHexKey + "\n", "line 2: duplicate key id 1"},
        {"1 100 0 " + kHexKey + "\n2 100 0 " + kHexKey + "\n", "exactly one active"},
        {"1 100 9 " + kHexKey + "\n", "exactly one active"},
        {std::string("\0\x01\x02garbage", 10), "line 1"},
    };
    for (const auto& c : cases) {
        write(c.text);
        std::string err = load_error();
        EXPECT_NE(err.find(file_.string()), std::string::npos) << err;
        EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err << "\nfor: " << c.text;
    }
}

TEST_F(KeyRingTest, UnreadableFileThrows) {
    fs::create_directories(file_);  // a directory where the file should be
    std::string err = load_error();
    EXPECT_NE(err.find("cannot read"), std::string::npos) << err;
}

TEST_F(KeyRingTest, RotateFailureLeavesRingUnchanged) {
    auto ring = KeyRing::load_or_create(file_);
    auto before = ring->ids();
    auto bad = dir_ / "no-such-dir-is-a-file";
    std::ofstream(bad) << "x";
    EXPECT_THROW(ring->rotate(bad / "keys"), std::runtime_error);
    EXPECT_EQ(ring->ids(), before);
}

}  // namespace
