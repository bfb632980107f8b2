#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "auth/credential_store.hpp"

namespace parley::auth {
namespace {

TEST(CredentialStore, AddsReplacesAndLooksUp) {
    CredentialStore store;
    EXPECT_FALSE(store.secret_for("AKID1"));
    store.add({"AKID1", "s1"});
    store.add({"AKID2", "s2"});
    EXPECT_EQ(store.secret_for("AKID1"), "s1");
    EXPECT_EQ(store.secret_for("AKID2"), "s2");
    store.add({"AKID1", "s1b"});
    EXPECT_EQ(store.secret_for("AKID1"), "s1b");
    EXPECT_EQ(store.size(), 2u);
    EXPECT_FALSE(store.secret_for("akid1"));  // access key ids are case-sensitive
    EXPECT_FALSE(store.secret_for(""));
}

TEST(CredentialStore, ConcurrentReadersWhileAdding) {
    CredentialStore store;
    store.add({"READER", "secret"});
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i)
                if (store.secret_for("READER") != "secret") ++bad;
        });
    threads.emplace_back([&] {
        for (int i = 0; i < 500; ++i) {
            std::string key = "K";  // not "K" + to_string(): GCC 12 -O3 -Wrestrict false positive
            key += std::to_string(i);
            store.add({key, "v"});
        }
    });
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(store.size(), 501u);
}

}  // namespace
}  // namespace parley::auth
