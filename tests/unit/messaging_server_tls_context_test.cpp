#include "messaging/server_tls_context.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

using parley::messaging::ServerTlsContext;
namespace fs = std::filesystem;

namespace {
// Self-signed certificates made with the openssl CLI (in APT_PACKAGES).
class ServerTlsContextTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("parley-tls-unit-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        make_cert("a");
        make_cert("b");
    }
    void TearDown() override { fs::remove_all(dir_); }

    void make_cert(const std::string& name) {
        std::string cmd =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-days 1 -subj /CN=" +
            name + " -keyout '" + (dir_ / (name + ".key")).string() + "' -out '" +
            (dir_ / (name + ".pem")).string() + "' >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    fs::path file(const std::string& name) const { return dir_ / name; }
    void write(const std::string& name, const std::string& text) {
        std::ofstream(file(name), std::ios::trunc) << text;
    }

    fs::path dir_;
};
}  // namespace

TEST_F(ServerTlsContextTest, LoadsAMatchingPair) {
    ServerTlsContext tls(file("a.pem"), file("a.key"));
    EXPECT_NE(tls.current(), nullptr);
}

TEST_F(ServerTlsContextTest, NamesTheProblemAtStart) {
    auto message_of = [](const fs::path& cert, const fs::path& key) -> std::string {
        try {
            ServerTlsContext tls(cert, key);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_NE(message_of(file("missing.pem"), file("a.key")).find("missing.pem: cannot read"),
              std::string::npos);
    write("junk.pem", "not pem\n");
    EXPECT_NE(message_of(file("junk.pem"), file("a.key")).find("cannot load a PEM certificate"),
              std::string::npos);
    EXPECT_NE(message_of(file("a.pem"), file("junk.pem")).find("cannot load a PEM private key"),
              std::string::npos);
    EXPECT_NE(message_of(file("a.pem"), file("b.key")).find("does not match the certificate"),
              std::string::npos);
    EXPECT_NE(message_of(dir_, file("a.key")).find("is a directory"), std::string::npos);
}

TEST_F(ServerTlsContextTest, ABadReloadKeepsTheCurrentContext) {
    ServerTlsContext tls(file("a.pem"), file("a.key"));
    auto before = tls.current();
    fs::copy_file(file("b.pem"), file("a.pem"), fs::copy_options::overwrite_existing);
    auto error = tls.reload();  // b's certificate with a's key
    EXPECT_NE(error.find("does not match"), std::string::npos) << error;
    EXPECT_EQ(tls.current(), before);
}

TEST_F(ServerTlsContextTest, ReloadIfChangedSeesNewFiles) {
    fs::copy_file(file("a.pem"), file("live.pem"));
    fs::copy_file(file("a.key"), file("live.key"));
    ServerTlsContext tls(file("live.pem"), file("live.key"));
    auto before = tls.current();
    std::string error;
    EXPECT_FALSE(tls.reload_if_changed(error));
    EXPECT_EQ(tls.current(), before);
    // A later modification time (file systems may keep whole seconds).
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs::copy_file(file("b.pem"), file("live.pem"), fs::copy_options::overwrite_existing);
    fs::copy_file(file("b.key"), file("live.key"), fs::copy_options::overwrite_existing);
    fs::last_write_time(file("live.pem"),
                        fs::last_write_time(file("live.pem")) + std::chrono::seconds(2));
    EXPECT_TRUE(tls.reload_if_changed(error)) << error;
    EXPECT_TRUE(error.empty());
    EXPECT_NE(tls.current(), before);
    // Open connections keep theirs: the old context is still usable while referenced.
    EXPECT_NE(before->native_handle(), nullptr);
}
