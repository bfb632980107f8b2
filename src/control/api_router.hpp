#pragma once
// Turns one HTTP request into one API response: authenticate (SigV4), route to the operation,
// parse the JSON body, run the handler, render the result or the error in AWS's shape.
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.hpp"
#include "control/auth_failure_log.hpp"
#include "control/control_context.hpp"

namespace parley::control {

struct ApiResponse {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::string error_type;  // x-amzn-ErrorType, empty on success
    std::string request_id;
    // Further response headers (the console's Cache-Control, Location, ...).
    std::vector<std::pair<std::string, std::string>> headers;
};

class ConsoleSite;

class ApiRouter {
  public:
    ApiRouter(ControlContext& ctx, const auth::SigV4Verifier& verifier);

    // `peer` names the client's address; called only to log a failed authentication.
    using PeerName = std::function<std::string()>;
    // For operations that answer at once (an operation may not defer here).
    ApiResponse handle(const auth::HttpRequestView& req, const PeerName& peer = {});
    // `reply` gets the answer once: before this returns, or later from another thread when the
    // operation waits for another service (OperationInput::defer). `peer` is called on this
    // thread only.
    using Reply = std::function<void(ApiResponse)>;
    void handle(const auth::HttpRequestView& req, const PeerName& peer, Reply reply);

    // Readiness and metrics are served without authentication.
    void set_ready(bool ready) { ready_ = ready; }
    void set_metrics_source(std::function<std::string()> source) { metrics_ = std::move(source); }
    // What /readyz asks besides "started": by default the store's own view of its health.
    void set_store_health(std::function<bool()> healthy) { store_health_ = std::move(healthy); }
    // And the cluster bus: a node that cannot reach the other nodes is not ready either.
    void set_bus_health(std::function<bool()> healthy) { bus_health_ = std::move(healthy); }

    // The web console under /console/ (null: --no-console, those paths are API paths).
    void set_console(std::shared_ptr<const ConsoleSite> console) { console_ = std::move(console); }

    // An error response for failures found before routing (e.g. a body over the limit).
    static ApiResponse error_response(const model::ApiError& e);

  private:
    void dispatch(const auth::HttpRequestView& req, const PeerName& peer, Reply reply,
                  bool may_defer);
    static ApiResponse failure_response(std::string_view op_name, std::exception_ptr e);

    ControlContext& ctx_;
    const auth::SigV4Verifier& verifier_;
    std::atomic<bool> ready_{false};
    std::function<std::string()> metrics_;
    AuthFailureLog auth_failures_;
    std::function<bool()> store_health_;
    std::function<bool()> bus_health_;
    std::shared_ptr<const ConsoleSite> console_;
};

}  // namespace parley::control
