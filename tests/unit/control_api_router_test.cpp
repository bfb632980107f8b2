// ApiRouter at its edges: it routes on exactly the path the SigV4 signature covers (absolute-form
// targets, dot segments), refuses targets that are not origin-form, and records unknown routes
// under one fixed metrics label however many random paths an attacker sends.
#include "control/api_router.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "auth/credential_store.hpp"
#include "auth/sigv4_signer.hpp"
#include "auth/sigv4_verifier.hpp"
#include "control/request_metrics.hpp"
#include "messaging/room_catalog.hpp"
#include "model/json_codec.hpp"
#include "store/sqlite_store.hpp"
#include "store_temporary_directory.hpp"
#include "token/key_ring.hpp"
#include "token/token_sealer.hpp"

namespace parley::control {
namespace {

const auth::Credentials kCreds{"AKIDROUTERTEST000001", "router-test-secret-0123456789abcdefghij"};
constexpr std::string_view kHost = "127.0.0.1:8080";

class ApiRouterTest : public ::testing::Test {
  protected:
    ApiRouterTest()
        : store_(store::open_sqlite_store(dir_.database())),
          sealer_(token::KeyRing::ephemeral()),
          ctx_(ControlSettings{}, *store_, rooms_, sealer_) {
        credentials_.add(kCreds);
        verifier_ = std::make_unique<auth::SigV4Verifier>(credentials_);
        router_ = std::make_unique<ApiRouter>(ctx_, *verifier_);
        router_->set_ready(true);
    }

    // Signs `signed_target` but sends `wire_target`, as a client or a replaying attacker would.
    ApiResponse call_as(std::string_view method, std::string_view signed_target,
                        std::string_view wire_target, std::string_view body = "{}") {
        auto added = auth::sign_headers(kCreds, "us-east-1", "ivschat", method, signed_target,
                                        kHost, body, std::time(nullptr));
        std::vector<std::pair<std::string, std::string>> owned = {
            {"host", std::string(kHost)}, {"content-type", "application/json"}};
        for (auto& h : added) owned.push_back(std::move(h));
        auth::HttpRequestView req;
        req.method = method;
        req.target = wire_target;
        req.body = body;
        for (const auto& [k, v] : owned) req.headers.emplace_back(k, v);
        return router_->handle(req);
    }
    ApiResponse call(std::string_view method, std::string_view target,
                     std::string_view body = "{}") {
        return call_as(method, target, target, body);
    }

    std::string create_room(const std::string& name) {
        auto r = call("POST", "/CreateRoom",
                      R"({"name":")" + name + R"(","tags":{"owner":")" + name + R"("}})");
        EXPECT_EQ(r.status, 200u) << r.body;
        auto v = model::parse_json(r.body);
        return v.value ? v.value->find("arn")->as_string() : "";
    }

    static std::string encode_arn(const std::string& arn) {
        std::string out;
        for (char c : arn) {
            if (c == ':')
                out += "%3A";
            else if (c == '/')
                out += "%2F";
            else
                out += c;
        }
        return out;
    }

    store::test::TemporaryDirectory dir_;
    std::unique_ptr<store::Store> store_;
    messaging::RoomCatalog rooms_;
    token::TokenSealer sealer_;
    ControlContext ctx_;
    auth::CredentialStore credentials_;
    std::unique_ptr<auth::SigV4Verifier> verifier_;
    std::unique_ptr<ApiRouter> router_;
};

TEST_F(ApiRouterTest, OriginFormRequestsWork) {
    auto r = call("POST", "/ListRooms");
    EXPECT_EQ(r.status, 200u) << r.body;
}

// RFC 9112 3.2.2: a server must accept the absolute-form; the verifier already checks the
// signature over its path, so routing must use that path too.
TEST_F(ApiRouterTest, AbsoluteFormTargetRoutesOnItsPath) {
    auto r = call_as("POST", "/ListRooms", "http://127.0.0.1:8080/ListRooms");
    EXPECT_EQ(r.status, 200u) << r.body;
}

// The signature covers the dot-normalised path; a target that normalises to the signed path
// must act on that path, never on the raw text (another resource or operation).
TEST_F(ApiRouterTest, DotSegmentsCannotRetargetASignedRequest) {
    auto victim = create_room("victim");
    auto mine = create_room("mine");
    std::string signed_target = "/tags/" + encode_arn(mine);
    std::string wire = "/tags/" + encode_arn(victim) + "/../" + encode_arn(mine);
    auto r = call_as("GET", signed_target, wire, "");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find(R"("owner":"mine")"), std::string::npos) << r.body;

    auto op = call_as("POST", "/ListRooms", "/DeleteRoom/../ListRooms");
    EXPECT_EQ(op.status, 200u) << op.body;
    EXPECT_NE(op.body.find("rooms"), std::string::npos) << op.body;
}

TEST_F(ApiRouterTest, TargetWithoutLeadingSlashIsABadRequest) {
    for (std::string_view target : {"ListRooms", "*", "tags/x"}) {
        auto r = call("POST", target);
        EXPECT_EQ(r.status, 400u) << target << " " << r.body;
        EXPECT_EQ(r.error_type, "BadRequestException");
        EXPECT_EQ(r.body.front(), '{');
    }
}

TEST_F(ApiRouterTest, UnknownRoutesShareOneMetricsLabel) {
    auto lines = [] {
        std::size_t n = 0;
        for (char c : request_metrics().render()) n += c == '\n';
        return n;
    };
    call("POST", "/NoSuchOperation-warmup");
    call("GET", "/also-unknown");
    call("PUT", "/CreateRoom");  // known path, wrong method
    auto before = lines();
    for (int i = 0; i < 200; ++i) {
        std::string path = "/random-" + std::to_string(i * 7919) + "/x?y=" + std::to_string(i);
        auto r = call(i % 2 ? "GET" : "POST", path);
        EXPECT_EQ(r.status, 404u) << r.body;
        call("PUT", "/CreateRoom" + std::string(i % 3, '/'));
    }
    EXPECT_EQ(lines(), before);
    auto text = request_metrics().render();
    EXPECT_EQ(text.find("random-"), std::string::npos);
    EXPECT_NE(text.find(R"(operation="Unknown",status="404")"), std::string::npos) << text;
}

}  // namespace
}  // namespace parley::control
