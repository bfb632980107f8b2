#pragma once
// A small HTTP/1.1 client for the AWS Lambda Invoke API (synchronous "RequestResponse" calls),
// run on the caller's event loop: SigV4-signed POSTs, a hard time budget per call, and idle
// keep-alive connections pooled per loop so a review rarely pays for a TCP (and TLS) handshake.
// https:// reaches AWS Lambda itself (certificates verified); http:// suits the Lambda Runtime
// Interface Emulator or a local Lambda-compatible service.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_store.hpp"
#include "net/http_endpoint.hpp"

namespace boost::asio::ssl {
class context;
}

namespace parley::messaging {

using LambdaEndpoint = net::HttpEndpoint;

// Parses http[s]://host[:port][/base-path]. nullopt, with `error` set, for anything else.
inline std::optional<LambdaEndpoint> parse_lambda_endpoint(std::string_view url,
                                                           std::string& error) {
    return net::parse_http_endpoint(url, error);
}

// POST target of an Invoke: <base>/2015-03-31/functions/<function ARN, URL-encoded>/invocations.
std::string invoke_target(const LambdaEndpoint& endpoint, std::string_view function_arn);

// The region of arn:aws:lambda:<region>:<account>:function:<name>[:qualifier] (signing scope);
// "us-east-1" when the value is not such an ARN.
std::string lambda_arn_region(std::string_view function_arn);

struct InvokeResult {
    enum class Outcome { Ok, HttpError, FunctionError, ConnectionError, Timeout };
    Outcome outcome = Outcome::ConnectionError;
    unsigned status = 0;
    std::string body{};    // the function's response (Ok), or the error body
    std::string detail{};  // what went wrong, for the log
};

class LambdaInvokeClient {
  public:
    // tls: the context for an https endpoint (see make_lambda_tls_context); null means the
    // system trust store only. Ignored for http.
    LambdaInvokeClient(LambdaEndpoint endpoint, auth::Credentials credentials,
                       std::size_t loop_count,
                       std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
    ~LambdaInvokeClient();
    LambdaInvokeClient(const LambdaInvokeClient&) = delete;
    LambdaInvokeClient& operator=(const LambdaInvokeClient&) = delete;

    // Must be called on event loop `loop_index`, whose executor is `ex`. `done` runs exactly
    // once, on that loop, at the latest when `budget` has passed (then with Timeout).
    void invoke(const boost::asio::any_io_executor& ex, std::size_t loop_index,
                std::string_view function_arn, std::string payload,
                std::chrono::milliseconds budget, std::function<void(InvokeResult)> done);

    const LambdaEndpoint& endpoint() const { return *endpoint_; }

  private:
    struct Call;
    struct IdlePool;
    std::shared_ptr<const LambdaEndpoint> endpoint_;
    auth::Credentials credentials_;
    std::shared_ptr<boost::asio::ssl::context> tls_;  // null for http
    std::vector<std::shared_ptr<IdlePool>> pools_;    // one per loop, touched only on that loop
};

}  // namespace parley::messaging
