#include "control/api_router.hpp"

#include <spdlog/spdlog.h>

#include <openssl/rand.h>
#include <array>
#include <chrono>

#include "control/access_log.hpp"

#include "auth/canonical_request.hpp"
#include "control/console_site.hpp"
#include "control/operations.hpp"
#include "control/request_metrics.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"
#include "model/identifiers.hpp"
#include "model/json_codec.hpp"

namespace parley::control {

using model::ApiError;

namespace {

using Handler = model::Value (*)(ControlContext&, const OperationInput&);

struct Route {
    std::string_view method;
    std::string_view path;  // "/tags/" is a prefix route
    std::string_view name;
    Handler handler;
    unsigned success_status;
};

constexpr std::array kRoutes = {
    Route{"POST", "/CreateChatToken", "CreateChatToken", ops::create_chat_token, 200},
    Route{"POST", "/CreateLoggingConfiguration", "CreateLoggingConfiguration",
          ops::create_logging_configuration, 200},
    Route{"POST", "/CreateRoom", "CreateRoom", ops::create_room, 200},
    Route{"POST", "/DeleteLoggingConfiguration", "DeleteLoggingConfiguration",
          ops::delete_logging_configuration, 204},
    Route{"POST", "/DeleteMessage", "DeleteMessage", ops::delete_message, 200},
    Route{"POST", "/DeleteRoom", "DeleteRoom", ops::delete_room, 204},
    Route{"POST", "/DisconnectUser", "DisconnectUser", ops::disconnect_user, 200},
    Route{"POST", "/GetLoggingConfiguration", "GetLoggingConfiguration",
          ops::get_logging_configuration, 200},
    Route{"POST", "/GetRoom", "GetRoom", ops::get_room, 200},
    Route{"POST", "/GetRoomPresence", "GetRoomPresence", ops::get_room_presence, 200},  // ext.
    Route{"POST", "/ListLoggingConfigurations", "ListLoggingConfigurations",
          ops::list_logging_configurations, 200},
    Route{"POST", "/ListRoomMessages", "ListRoomMessages", ops::list_room_messages,
          200},  // extension
    Route{"POST", "/ListRooms", "ListRooms", ops::list_rooms, 200},
    Route{"POST", "/SendEvent", "SendEvent", ops::send_event, 200},
    Route{"POST", "/UpdateLoggingConfiguration", "UpdateLoggingConfiguration",
          ops::update_logging_configuration, 200},
    Route{"POST", "/UpdateRoom", "UpdateRoom", ops::update_room, 200},
    Route{"GET", "/tags/", "ListTagsForResource", ops::list_tags_for_resource, 200},
    Route{"POST", "/tags/", "TagResource", ops::tag_resource, 200},
    Route{"DELETE", "/tags/", "UntagResource", ops::untag_resource, 200},
};

std::string new_request_id() {
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15];
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding; `plus_is_space` for query strings. nullopt on a broken escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string_view header(const auth::HttpRequestView& req, std::string_view name) {
    for (const auto& [k, v] : req.headers) {
        if (k.size() == name.size() &&
            std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == b;
            }))
            return v;
    }
    return {};
}

bool is_json_content_type(std::string_view ct) {
    auto semi = ct.find(';');
    if (semi != std::string_view::npos) ct = ct.substr(0, semi);
    while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
    std::string lower;
    for (char c : ct) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower == "application/json" || lower == "application/x-amz-json-1.0" ||
           lower == "application/x-amz-json-1.1" || lower == "text/json";
}

}  // namespace

ApiRouter::ApiRouter(ControlContext& ctx, const auth::SigV4Verifier& verifier)
    : ctx_(ctx), verifier_(verifier) {}

ApiResponse ApiRouter::error_response(const ApiError& e) {
    ApiResponse r;
    r.status = static_cast<unsigned>(e.status());
    r.error_type = e.type();
    r.body = model::to_json(e.to_value());
    return r;
}

ApiResponse ApiRouter::handle(const auth::HttpRequestView& req, const PeerName& peer) {
    ApiResponse out;
    // No deferral here: every operation answers before dispatch returns.
    dispatch(
        req, peer, [&out](ApiResponse r) { out = std::move(r); }, false);
    return out;
}

void ApiRouter::handle(const auth::HttpRequestView& req, const PeerName& peer, Reply reply) {
    dispatch(req, peer, std::move(reply), true);
}

// What a failed operation answers (rethrows `e` to tell the kinds apart).
ApiResponse ApiRouter::failure_response(std::string_view op_name, std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const ApiError& e) {
        if (e.status() >= 500) spdlog::error("{} failed: {}", op_name, e.message());
        return error_response(e);
    } catch (const store::Unavailable& e) {
        // Nothing was written; the SDKs retry a 503.
        spdlog::warn("{} failed: {}", op_name, e.what());
        return error_response(ApiError("ServiceUnavailableException", 503,
                                       "The service is temporarily unavailable; retry later"));
    } catch (const store::MissingReference& e) {
        // A logging configuration was deleted (on another node) while this write named it.
        auto parts = model::parse_arn(e.arn);
        return error_response(
            ApiError::not_found(parts ? parts->id : e.arn, "LOGGING_CONFIGURATION"));
    } catch (const std::exception& e) {
        spdlog::error("{} failed with an internal error: {}", op_name, e.what());
        return error_response(model::ApiError::internal("Internal error; see the server log"));
    }
}

void ApiRouter::dispatch(const auth::HttpRequestView& req, const PeerName& peer, Reply reply,
                         bool may_defer) {
    const auto started = std::chrono::steady_clock::now();
    std::string request_id = new_request_id();
    // Route on exactly the path the signature covers (the verifier's view of the target): an
    // absolute-form target, dot segments or a fragment must not name another operation.
    auto target = auth::split_target(req.target);
    // Origin-form starts with '/'; an absolute-form target without a path means "/".
    const bool origin_form = target.path.empty() || target.path.front() == '/';
    std::string normalized = origin_form ? auth::remove_dot_segments(target.path) : "";
    if (normalized.empty()) normalized = "/";
    std::string_view path = normalized;
    std::string_view query = target.query;

    if (req.method == "GET" && path == "/healthz") {
        ApiResponse r;
        r.status = ready_ ? 200 : 503;
        r.content_type = "text/plain";
        r.body = ready_ ? "ok\n" : "starting\n";
        r.request_id = request_id;
        return reply(std::move(r));
    }
    // Readiness for load balancers: also false while the store cannot be reached, so traffic
    // goes to nodes that can serve writes (/healthz stays the liveness probe).
    if (req.method == "GET" && path == "/readyz") {
        const bool store_ok = store_health_ ? store_health_() : ctx_.store.healthy();
        const bool bus_ok = !bus_health_ || bus_health_();
        ApiResponse r;
        r.status = ready_ && store_ok && bus_ok ? 200 : 503;
        r.content_type = "text/plain";
        r.body = !ready_     ? "starting\n"
                 : !store_ok ? "store unavailable\n"
                 : !bus_ok   ? "bus unavailable\n"
                             : "ok\n";
        r.request_id = request_id;
        return reply(std::move(r));
    }
    if (req.method == "GET" && path == "/metrics" && metrics_) {
        ApiResponse r;
        r.content_type = "text/plain; version=0.0.4";
        r.body = metrics_();
        r.request_id = request_id;
        return reply(std::move(r));
    }

    // The web console's files: public, like /metrics (see console_site.hpp).
    if (console_ && req.method == "GET" && ConsoleSite::handles(path)) {
        ApiResponse r = console_->serve(path);
        r.request_id = request_id;
        return reply(std::move(r));
    }

    std::string_view op_name = "Unknown";
    ApiResponse resp;
    try {
        if (!origin_form)
            throw ApiError("BadRequestException", 400, "The request target must start with '/'");
        // Routed before authentication only to name the operation in metrics and logs; the
        // signature is checked before a routing error or anything else is answered.
        const Route* route = nullptr;
        bool path_known = false;
        for (const auto& r : kRoutes) {
            bool match = r.path.back() == '/' ? path.substr(0, r.path.size()) == r.path &&
                                                    path.size() > r.path.size()
                                              : path == r.path;
            if (!match) continue;
            path_known = true;
            if (r.method == req.method) route = &r;
        }
        if (route) op_name = route->name;
        try {
            verifier_.verify(req, model::now_millis() / 1000);
        } catch (const ApiError& e) {
            auth_failures_.report(op_name, e.type(), e.message(), header(req, "authorization"),
                                  peer ? peer() : std::string("-"));
            throw;
        }
        if (!route) {
            ApiError e(path_known ? "MethodNotAllowedException" : "UnknownOperationException",
                       path_known ? 405 : 404,
                       "No operation matches " + std::string(req.method) + " " + std::string(path));
            throw e;
        }

        if (!req.body.empty()) {
            auto ct = header(req, "content-type");
            if (!ct.empty() && !is_json_content_type(ct))
                throw ApiError("UnsupportedMediaTypeException", 415,
                               "Content-Type must be application/json, got " + std::string(ct));
        }
        model::Value body = model::Value::structure();
        if (!req.body.empty()) {
            auto parsed = model::parse_json(req.body);
            if (!parsed.value) throw ApiError("SerializationException", 400, parsed.error);
            body = std::move(*parsed.value);
        }

        OperationInput in{body, {}, {}};
        if (route->path == "/tags/") {
            auto arn = percent_decode(path.substr(route->path.size()), false);
            if (!arn) throw ApiError::validation("resourceArn is not correctly percent-encoded");
            in.resource_arn = std::move(*arn);
            std::size_t pos = 0;
            while (pos <= query.size() && !query.empty()) {
                auto amp = query.find('&', pos);
                auto part = query.substr(
                    pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
                auto eq = part.find('=');
                auto key = percent_decode(part.substr(0, eq), true);
                if (key && *key == "tagKeys" && eq != std::string_view::npos) {
                    auto value = percent_decode(part.substr(eq + 1), true);
                    if (!value)
                        throw ApiError::validation("tagKeys is not correctly percent-encoded");
                    in.tag_keys.push_back(std::move(*value));
                }
                if (amp == std::string_view::npos) break;
                pos = amp + 1;
            }
        }

        // Only an operation that defers pays for what its later answer needs: on the common
        // path `defer` holds one pointer (stored inside std::function, no allocation).
        struct DeferContext {
            bool deferred = false;
            std::string_view op;
            unsigned status;
            std::chrono::steady_clock::time_point started;
            const std::string& request_id;
            const Reply& reply;
            const PeerName& peer;
        } defer_ctx{false, op_name, route->success_status, started, request_id, reply, peer};
        if (may_defer)
            in.defer = [dc = &defer_ctx]() -> Completion {
                dc->deferred = true;
                // Named now, on the connection's own thread: the answer comes from another.
                std::string peer_name = dc->peer ? dc->peer() : std::string("-");
                return [op = dc->op, status = dc->status, started = dc->started,
                        request_id = dc->request_id, reply = dc->reply,
                        peer_name =
                            std::move(peer_name)](std::function<model::Value()> result) mutable {
                    ApiResponse r;
                    try {
                        auto v = result();
                        r.status = status;
                        if (status != 204) r.body = model::to_json(v);
                    } catch (...) {
                        r = failure_response(op, std::current_exception());
                    }
                    request_metrics().record(op, r.status);
                    log_api_access(op, r.status,
                                   std::chrono::duration<double, std::milli>(
                                       std::chrono::steady_clock::now() - started)
                                       .count(),
                                   request_id, [&peer_name] { return peer_name; });
                    r.request_id = std::move(request_id);
                    reply(std::move(r));
                };
            };
        model::Value out = route->handler(ctx_, in);
        if (defer_ctx.deferred) return;
        resp.status = route->success_status;
        if (resp.status != 204) resp.body = model::to_json(out);
    } catch (...) {
        resp = failure_response(op_name, std::current_exception());
    }
    request_metrics().record(op_name, resp.status);
    // Access log (issue 11): API operations only, not the probes and /metrics above.
    log_api_access(
        op_name, resp.status,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count(),
        request_id, peer);
    resp.request_id = std::move(request_id);
    reply(std::move(resp));
}

}  // namespace parley::control
