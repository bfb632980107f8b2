// ConsoleSite: what the console's directory serves, with which headers, and that no request
// path (decoded or not, through a symbolic link or not) reads a file outside that directory.
#include "control/console_site.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "store_temporary_directory.hpp"

namespace parley::control {
namespace {

namespace fs = std::filesystem;

std::string header(const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

class ConsoleSiteTest : public ::testing::Test {
  protected:
    ConsoleSiteTest() : root_(dir_.path() / "console") {
        write(root_ / "index.html", "<div id=app></div>");
        write(root_ / "assets" / "index-abc123.js", "console.log(1)");
        write(root_ / "assets" / "index-abc123.css", "body{}");
        write(root_ / ".secret", "hidden");
        write(dir_.path() / "parley.db", "outside");
    }
    store::test::TemporaryDirectory dir_;
    fs::path root_;
    ConsoleSite site_{root_, [] { return std::string(R"({"version":"x"})"); }};
};

TEST_F(ConsoleSiteTest, HandlesOnlyTheConsolePrefix) {
    EXPECT_TRUE(ConsoleSite::handles("/console"));
    EXPECT_TRUE(ConsoleSite::handles("/console/"));
    EXPECT_TRUE(ConsoleSite::handles("/console/assets/a.js"));
    EXPECT_FALSE(ConsoleSite::handles("/consoles"));
    EXPECT_FALSE(ConsoleSite::handles("/CreateRoom"));
    EXPECT_FALSE(ConsoleSite::handles("/"));
}

TEST_F(ConsoleSiteTest, IndexIsRevalidatedAndCarriesASecurityPolicy) {
    auto r = site_.serve("/console/");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "<div id=app></div>");
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
}

TEST_F(ConsoleSiteTest, HashedAssetsAreImmutableWithTheirTypes) {
    auto js = site_.serve("/console/assets/index-abc123.js");
    EXPECT_EQ(js.status, 200u);
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(header(js, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(site_.serve("/console/assets/index-abc123.css").content_type,
              "text/css; charset=utf-8");
    EXPECT_EQ(console_content_type("a.svg"), "image/svg+xml");
    EXPECT_EQ(console_content_type("a.unknown"), "application/octet-stream");
}

TEST_F(ConsoleSiteTest, BarePrefixRedirectsAndDeepLinksGetTheApp) {
    auto r = site_.serve("/console");
    EXPECT_EQ(r.status, 301u);
    EXPECT_EQ(header(r, "Location"), "/console/");
    EXPECT_EQ(site_.serve("/console/rooms/new").body, "<div id=app></div>");
    EXPECT_EQ(site_.serve("/console/assets/missing.js").status, 404u);
}

TEST_F(ConsoleSiteTest, ConfigJsonComesFromTheServer) {
    auto r = site_.serve("/console/config.json");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"version":"x"})");
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(ConsoleSiteTest, NothingOutsideTheDirectoryOrHiddenIsServed) {
    for (const char* path :
         {"/console/%2e%2e/parley.db", "/console/..%2fparley.db", "/console/%2E%2E%2Fparley.db",
          "/console/assets/%2e%2e/%2e%2e/parley.db", "/console/..%5cparley.db", "/console/.secret",
          "/console/%2esecret", "/console/assets//index-abc123.js", "/console/%00", "/console/%zz",
          "/console/assets/%2e/index-abc123.js"}) {
        auto r = site_.serve(path);
        EXPECT_EQ(r.status, 404u) << path;
        EXPECT_EQ(r.body.find("outside"), std::string::npos) << path;
    }
}

TEST_F(ConsoleSiteTest, ASymbolicLinkOutOfTheDirectoryIsNotFollowed) {
    fs::create_symlink(dir_.path() / "parley.db", root_ / "assets" / "link.js");
    auto r = site_.serve("/console/assets/link.js");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body.find("outside"), std::string::npos);
}

TEST_F(ConsoleSiteTest, AMissingBuildSaysHowToMakeIt) {
    ConsoleSite missing(dir_.path() / "nowhere", {});
    EXPECT_FALSE(missing.available());
    auto r = missing.serve("/console/");
    EXPECT_EQ(r.status, 503u);
    EXPECT_NE(r.body.find("make build"), std::string::npos);
    EXPECT_NE(r.body.find("--console-dir"), std::string::npos);
}

}  // namespace
}  // namespace parley::control
