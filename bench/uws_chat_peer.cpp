// The uWebSockets peer of bench/compare.sh: the minimal chat protocol Parley's fan-out speaks.
// The room is the URL path; any subprotocol is echoed; a SEND_MESSAGE becomes one MESSAGE frame,
// serialised once and published with uWS pub/sub to every member, the sender included. Slow
// readers are cut at 1 MiB buffered, as parleyd's --max-outbound-bytes default does.
// Build: bench/build-peers.sh (fetches uWebSockets + uSockets; never vendored).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "App.h"

namespace {

struct Member {
    std::string room;
};

// The raw JSON string value of "Key":"..." (escapes kept as they are), or empty.
std::string_view json_string(std::string_view in, std::string_view key) {
    auto pos = in.find(key);
    if (pos == std::string_view::npos) return {};
    std::size_t begin = pos + key.size(), i = begin;
    while (i < in.size() && in[i] != '"') i += in[i] == '\\' ? 2 : 1;
    return i <= in.size() ? in.substr(begin, i - begin) : std::string_view{};
}

std::string send_time() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    char out[48];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900,
                  t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec);
    return out;
}

unsigned long long next_id = 0;

}  // namespace

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 9001;
    uWS::App app;
    app.ws<Member>("/*", {.compression = uWS::DISABLED,
                          .maxPayloadLength = 16 * 1024,
                          .idleTimeout = 0,
                          .maxBackpressure = 1024 * 1024,
                          .closeOnBackpressureLimit = true,
                          .sendPingsAutomatically = false,
                          .upgrade =
                              [](auto* res, auto* req, auto* context) {
                                  res->template upgrade<Member>(
                                      {std::string(req->getUrl())},
                                      req->getHeader("sec-websocket-key"),
                                      req->getHeader("sec-websocket-protocol"),
                                      req->getHeader("sec-websocket-extensions"), context);
                              },
                          .open = [](auto* ws) { ws->subscribe(ws->getUserData()->room); },
                          .message =
                              [&app](auto* ws, std::string_view msg, uWS::OpCode) {
                                  if (msg.find("\"SEND_MESSAGE\"") == std::string_view::npos)
                                      return;
                                  char id[40];
                                  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx",
                                                ++next_id);
                                  std::string frame;
                                  frame.reserve(256 + msg.size());
                                  frame += R"({"Type":"MESSAGE","Id":")";
                                  frame += id;
                                  frame += R"(","RequestId":")";
                                  frame += json_string(msg, R"("RequestId":")");
                                  frame += R"(","Attributes":null,"Content":")";
                                  frame += json_string(msg, R"("Content":")");
                                  frame += R"(","SendTime":")";
                                  frame += send_time();
                                  frame += R"(","Sender":{"UserId":"peer","Attributes":{}}})";
                                  app.publish(ws->getUserData()->room, frame, uWS::OpCode::TEXT);
                              }})
        .listen("127.0.0.1", port,
                [port](auto* socket) {
                    if (!socket) {
                        std::fprintf(stderr, "uws_chat_peer: cannot listen on %d\n", port);
                        std::exit(1);
                    }
                    std::printf("uws_chat_peer listening on 127.0.0.1:%d\n", port);
                    std::fflush(stdout);
                })
        .run();
}
