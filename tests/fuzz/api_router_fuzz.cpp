// libFuzzer target for the control plane's request handling (not part of the CMake build; see
// run.sh): ApiRouter::handle against a real SQLite store (on tmpfs), room catalog, token sealer
// and SigV4 verifier. The input is read with FuzzedDataProvider (numbers from the end, strings
// from the front); its last byte picks a mode:
//   raw     - method, target, headers and body all fuzzed (exercises the SigV4 verifier);
//   signed  - 1-4 operations, each a fuzzed JSON body the harness signs with auth::sign_headers,
//             optionally on a fuzzed method/target, so the handlers themselves are reached;
//   tamper  - one signed operation, then one header changed or added (the verifier's checks).
// Every input starts from the same fixture (one room linked to one logging configuration, one
// spare logging configuration), so a crash reproduces from its input alone. Asserted: status is
// one of the API's codes and never 500 (an internal error is a bug), a JSON body parses, a
// minted chat token opens, and the store and the live room catalog agree afterwards.
// PARLEY_FUZZ_TRACE=1 prints each request and answer (to read a corpus or a crash input).
#include <fuzzer/FuzzedDataProvider.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/canonical_request.hpp"
#include "auth/credential_store.hpp"
#include "auth/sigv4_signer.hpp"
#include "auth/sigv4_verifier.hpp"
#include "control/api_router.hpp"
#include "control/control_context.hpp"
#include "messaging/live_room_control.hpp"
#include "messaging/room_catalog.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/json_codec.hpp"
#include "store/sqlite_store.hpp"
#include "token/key_ring.hpp"
#include "token/token_sealer.hpp"

using namespace parley;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr std::string_view kRegion = "us-east-1";
constexpr std::string_view kAccount = "123456789012";
constexpr std::string_view kHost = "127.0.0.1:8080";
const auth::Credentials kCreds{"AKIDPARLEYFUZZ", "fuzz/secret+key"};

// Stands in for the messaging edge: every call must name a room that exists.
class LiveRoomProbe : public messaging::LiveRoomControl {
  public:
    void send_event(const messaging::RoomPtr& r, const std::string& id, const std::string&,
                    const model::Attributes&) override {
        check(r && model::is_id(id));
    }
    void delete_message(const messaging::RoomPtr& r, const std::string& id, const std::string&,
                        const std::string&) override {
        check(r && model::is_id(id));
    }
    void disconnect_user(const messaging::RoomPtr& r, const std::string& id,
                         const std::string& user, const std::string&) override {
        check(r && model::is_id(id) && !user.empty());
    }
    void room_updated(const messaging::RoomPtr& r) override { check(r != nullptr); }
    void room_deleted(const std::string& id) override { check(model::is_id(id)); }
};

struct World {
    std::filesystem::path dir;
    std::unique_ptr<store::Store> store;
    messaging::RoomCatalog rooms;
    std::shared_ptr<token::KeyRing> keys = token::KeyRing::ephemeral();
    token::TokenSealer sealer{keys};
    auth::CredentialStore credentials;
    std::unique_ptr<auth::SigV4Verifier> verifier;
    std::unique_ptr<control::ControlContext> ctx;
    std::unique_ptr<control::ApiRouter> router;
    LiveRoomProbe live;
    std::string room_arn, linked_log_arn, spare_log_arn;
    // Set by any answer but 403: authentication runs first, so a refused request changed
    // nothing and the next input can skip the (SQLite-bound) reset.
    bool touched = true;

    World() {
        // tmpfs: the store commits with synchronous=FULL, and fsync on a disk would dominate.
        // run.sh passes a scratch directory it removes afterwards, even after a crash.
        const char* scratch = std::getenv("PARLEY_FUZZ_SCRATCH");
        std::string tmpl = scratch && *scratch                   ? scratch
                           : std::filesystem::exists("/dev/shm") ? "/dev/shm"
                                                                 : "/tmp";
        tmpl += "/parley-fuzz-XXXXXX";
        check(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        store = store::open_sqlite_store(dir / "parley.db");
        credentials.add(kCreds);
        verifier = std::make_unique<auth::SigV4Verifier>(credentials);
        ctx = std::make_unique<control::ControlContext>(
            control::ControlSettings{.region = std::string(kRegion),
                                     .account_id = std::string(kAccount),
                                     .max_rooms = 4,
                                     .max_logging_configurations = 3},
            *store, rooms, sealer);
        ctx->live = &live;
        router = std::make_unique<control::ApiRouter>(*ctx, *verifier);
        room_arn = model::room_arn(kRegion, kAccount, "FuzzRoom0001");
        linked_log_arn = model::logging_configuration_arn(kRegion, kAccount, "FuzzLogCfg01");
        spare_log_arn = model::logging_configuration_arn(kRegion, kAccount, "FuzzLogCfg02");
    }

    // Back to the fixture, whatever the previous input did.
    void reset() {
        for (const auto& r : rooms.snapshot()) {
            store->delete_room(r->id);
            rooms.erase(r->id);
        }
        for (const auto& r : store->list_rooms()) store->delete_room(r.id);
        for (const auto& lc : store->list_logging_configurations())
            check(store->delete_logging_configuration(lc.id) == store::DeleteOutcome::Deleted);
        const auto now = model::now_millis();
        for (const std::string& arn : {linked_log_arn, spare_log_arn}) {
            model::LoggingConfiguration lc;
            lc.id = model::parse_arn(arn)->id;
            lc.arn = arn;
            lc.name = "fixture";
            lc.create_time = lc.update_time = now;
            lc.destination_configuration = model::S3DestinationConfiguration{"fixture-bucket"};
            lc.tags = {{"k", "v"}};
            store->insert_logging_configuration(lc);
        }
        model::Room room;
        room.id = "FuzzRoom0001";
        room.arn = room_arn;
        room.name = "fixture";
        room.create_time = room.update_time = now;
        room.logging_configuration_identifiers = {linked_log_arn};
        room.tags = {{"team", "fuzz"}};
        store->insert_room(room);
        rooms.put(room);
    }

    // The store is the truth the catalog mirrors: same rooms, same contents.
    void check_consistent() const {
        const auto stored = store->list_rooms();
        check(stored.size() == rooms.size());
        for (const auto& r : stored) {
            auto live_room = rooms.find(r.id);
            check(live_room && *live_room == r);
        }
        check(rooms.size() <= ctx->settings.max_rooms);
        check(store->count_logging_configurations() <= ctx->settings.max_logging_configurations);
    }
};

World& world() {
    // Never destroyed (libFuzzer leaves through exit()); only its directory is removed then.
    static World* w = [] {
        auto* made = new World();
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(world().dir, ec);
        });
        return made;
    }();
    return *w;
}

// Hands the request to the router and checks the response.
control::ApiResponse send(const auth::HttpRequestView& req) {
    control::ApiResponse resp = world().router->handle(req);
    if (resp.status != 403) world().touched = true;
    static const bool trace = std::getenv("PARLEY_FUZZ_TRACE") != nullptr;  // to read a corpus
    if (trace)
        std::fprintf(stderr, "%.*s %.*s -> %u %s\n", static_cast<int>(req.method.size()),
                     req.method.data(), static_cast<int>(req.target.size()), req.target.data(),
                     resp.status, resp.body.substr(0, 160).c_str());
    static constexpr std::array<unsigned, 10> kExpected = {200, 204, 400, 402, 403,
                                                           404, 405, 409, 413, 415};
    const bool health = resp.content_type.starts_with("text/plain");  // /healthz, /metrics
    check(health || std::find(kExpected.begin(), kExpected.end(), resp.status) != kExpected.end());
    check(resp.status != 500);
    check(!resp.request_id.empty());
    if (!health && !resp.body.empty()) check(model::parse_json(resp.body).value.has_value());
    check(resp.status == 200 || resp.status == 204 || !resp.error_type.empty());
    return resp;
}

struct Operation {
    std::string_view method;
    std::string_view name;  // path is "/" + name, except for the tag operations
    bool tag_path;
};

constexpr std::array<Operation, 17> kOperations = {{
    {"POST", "CreateChatToken", false},
    {"POST", "CreateLoggingConfiguration", false},
    {"POST", "CreateRoom", false},
    {"POST", "DeleteLoggingConfiguration", false},
    {"POST", "DeleteMessage", false},
    {"POST", "DeleteRoom", false},
    {"POST", "DisconnectUser", false},
    {"POST", "GetLoggingConfiguration", false},
    {"POST", "GetRoom", false},
    {"POST", "ListLoggingConfigurations", false},
    {"POST", "ListRooms", false},
    {"POST", "SendEvent", false},
    {"POST", "UpdateLoggingConfiguration", false},
    {"POST", "UpdateRoom", false},
    {"GET", "ListTagsForResource", true},
    {"POST", "TagResource", true},
    {"DELETE", "UntagResource", true},
}};

constexpr std::array<std::string_view, 6> kContentTypes = {"",
                                                           "application/json",
                                                           "application/x-amz-json-1.1",
                                                           "application/json; charset=utf-8",
                                                           "text/plain",
                                                           "TEXT/JSON"};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

// The ARN the fuzzer asked for: fixture room, linked or spare configuration, or garbage.
std::string pick_arn(std::uint8_t which) {
    World& w = world();
    switch (which % 5) {
        case 0:
            return w.room_arn;
        case 1:
            return w.linked_log_arn;
        case 2:
            return w.spare_log_arn;
        case 3: {  // the newest room the input created, if any
            auto all = w.rooms.snapshot();
            for (const auto& r : all)
                if (r->arn != w.room_arn) return r->arn;
            return w.room_arn;
        }
        default:
            return model::room_arn("eu-west-1", kAccount, "FuzzRoom0001");
    }
}

// A request that stays valid for the views built on it.
struct OwnedRequest {
    std::string method, target, body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool fuzzed_target = false;  // signed, but on a method/target of the fuzzer's choosing

    auth::HttpRequestView view() const {
        auth::HttpRequestView v{method, target, {}, body};
        for (const auto& [k, val] : headers) v.headers.emplace_back(k, val);
        return v;
    }
};

// One operation, signed as an SDK would sign it. The body is fuzzed JSON in which "$ROOM",
// "$LOG" and "$SPARE" stand for the fixture ARNs; flag bits may also force the identifier
// member, and may swap the method/target for fuzzed ones (signed all the same).
OwnedRequest signed_request(FuzzedDataProvider& in) {
    World& w = world();
    const Operation& op = kOperations[in.ConsumeIntegralInRange<std::size_t>(0, 16)];
    const std::uint8_t flags = in.ConsumeIntegral<std::uint8_t>();
    const std::string arn = pick_arn(in.ConsumeIntegral<std::uint8_t>());
    OwnedRequest r;
    r.body = in.ConsumeRandomLengthString(2048);
    replace_all(r.body, "$ROOM", w.room_arn);
    replace_all(r.body, "$LOG", w.linked_log_arn);
    replace_all(r.body, "$SPARE", w.spare_log_arn);
    if (flags & 1) {  // put the chosen ARN where this operation looks for its resource
        auto parsed = model::parse_json(r.body);
        model::Value v = parsed.value && parsed.value->is_object() ? std::move(*parsed.value)
                                                                   : model::Value::structure();
        const bool room_event = op.name == "CreateChatToken" || op.name == "SendEvent" ||
                                op.name == "DeleteMessage" || op.name == "DisconnectUser";
        v.set(room_event ? "roomIdentifier" : "identifier", arn);
        r.body = model::to_json(v);
    }
    r.method = op.method;
    if (op.tag_path) {
        r.target = "/tags/" + auth::uri_encode(arn, false);
        if (op.name == "UntagResource" || (flags & 2)) {
            const int n = in.ConsumeIntegralInRange(0, 3);
            for (int i = 0; i < n; ++i)
                r.target += (i ? "&tagKeys=" : "?tagKeys=") +
                            auth::uri_encode(in.ConsumeRandomLengthString(40), false);
        }
    } else {
        r.target = "/" + std::string(op.name);
    }
    if (flags & 4) r.method = in.ConsumeRandomLengthString(10);
    if (flags & 8) r.target = in.ConsumeRandomLengthString(200);
    r.fuzzed_target = flags & 12;
    if ((flags & 0x30) == 0x30) r.body.clear();

    const std::int64_t now = model::now_millis() / 1000;
    r.headers.emplace_back("Host", std::string(kHost));
    const std::string_view ct = kContentTypes[(flags >> 6) % kContentTypes.size()];
    if (!ct.empty()) r.headers.emplace_back("Content-Type", std::string(ct));
    for (auto& h :
         auth::sign_headers(kCreds, kRegion, "ivschat", r.method, r.target, kHost, r.body, now))
        r.headers.push_back(std::move(h));
    return r;
}

void check_signed_response(const OwnedRequest& r, const control::ApiResponse& resp) {
    // A correctly signed request for a real operation must pass authentication; no operation
    // answers 403 on its own.
    if (!r.fuzzed_target) check(resp.status != 403);
    if (r.target == "/CreateChatToken" && resp.status == 200) {
        auto v = model::parse_json(resp.body);
        check(v.value && v.value->is_object());
        const model::Value* token = v.value->find("token");
        check(token && token->kind() == model::Value::Kind::String);
        check(world().sealer.open(token->as_string(), model::now_millis()).ok());
    }
}

void run_raw(FuzzedDataProvider& in) {
    OwnedRequest r;
    static constexpr std::array<std::string_view, 5> kMethods = {"POST", "GET", "DELETE", "PUT",
                                                                 ""};
    const std::uint8_t m = in.ConsumeIntegral<std::uint8_t>();
    r.method =
        m < 250 ? std::string(kMethods[m % kMethods.size()]) : in.ConsumeRandomLengthString(10);
    r.target = in.ConsumeRandomLengthString(300);
    const int n = in.ConsumeIntegralInRange(0, 8);
    for (int i = 0; i < n; ++i) {
        static constexpr std::array<std::string_view, 7> kNames = {
            "authorization", "x-amz-date",          "date", "host", "x-amz-content-sha256",
            "content-type",  "x-amz-security-token"};
        const std::uint8_t pick = in.ConsumeIntegral<std::uint8_t>();
        std::string name = pick < 240 ? std::string(kNames[pick % kNames.size()])
                                      : in.ConsumeRandomLengthString(30);
        r.headers.emplace_back(std::move(name), in.ConsumeRandomLengthString(400));
    }
    r.body = in.ConsumeRemainingBytesAsString();
    send(r.view());
}

void run_signed(FuzzedDataProvider& in) {
    const int count = in.ConsumeIntegralInRange(1, 4);
    for (int i = 0; i < count && in.remaining_bytes() > 0; ++i) {
        OwnedRequest r = signed_request(in);
        check_signed_response(r, send(r.view()));
    }
}

void run_tamper(FuzzedDataProvider& in) {
    OwnedRequest r = signed_request(in);
    const std::uint8_t what = in.ConsumeIntegral<std::uint8_t>();
    std::string value = in.ConsumeRandomLengthString(400);
    const std::size_t i = what % (r.headers.size() + 1);
    if (i == r.headers.size())  // a repeated or extra header
        r.headers.emplace_back(r.headers[what % r.headers.size()].first, std::move(value));
    else if (what & 0x80)  // a suffix on the signed value
        r.headers[i].second += value;
    else
        r.headers[i].second = std::move(value);
    send(r.view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    World& w = world();
    if (w.touched) w.reset();
    w.touched = false;
    switch (in.ConsumeIntegral<std::uint8_t>() % 3) {
        case 0:
            run_raw(in);
            break;
        case 1:
            run_signed(in);
            break;
        default:
            run_tamper(in);
            break;
    }
    if (w.touched) w.check_consistent();
    return 0;
}
