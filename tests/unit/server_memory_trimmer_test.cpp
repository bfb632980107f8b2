// When the trimmer gives memory back: only after the open connections fell well below their
// peak since the last trim, never on small churn.
#include "server/memory_trimmer.hpp"

#include <gtest/gtest.h>

namespace parley::server {
namespace {

TEST(MemoryTrimmer, TrimsOnlyAfterALargeDropFromThePeak) {
    boost::asio::io_context ctx;
    std::size_t open = 0;
    MemoryTrimmer trimmer(
        ctx, [&] { return open; }, 256);
    EXPECT_FALSE(trimmer.check());
    open = 2000;
    EXPECT_FALSE(trimmer.check());
    open = 1800;  // churn below the threshold
    EXPECT_FALSE(trimmer.check());
    open = 1744;  // 256 below the peak
    EXPECT_TRUE(trimmer.check());
    EXPECT_FALSE(trimmer.check());  // the peak is now 1744
    open = 1600;
    EXPECT_FALSE(trimmer.check());
    open = 0;
    EXPECT_TRUE(trimmer.check());
    open = 255;
    EXPECT_FALSE(trimmer.check());
    open = 0;
    EXPECT_FALSE(trimmer.check());
}

}  // namespace
}  // namespace parley::server
