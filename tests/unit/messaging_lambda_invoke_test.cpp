#include "messaging/review/lambda_invoke_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <mutex>
#include <thread>

namespace parley::messaging {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

TEST(LambdaEndpoint, ParsesHttpUrls) {
    std::string error;
    auto e = parse_lambda_endpoint("http://127.0.0.1:9001", error);
    ASSERT_TRUE(e) << error;
    EXPECT_EQ(e->host, "127.0.0.1");
    EXPECT_EQ(e->port, "9001");
    EXPECT_EQ(e->base_path, "");
    EXPECT_EQ(e->host_header, "127.0.0.1:9001");

    e = parse_lambda_endpoint("http://Lambda.Example.com/base/", error);
    ASSERT_TRUE(e) << error;
    EXPECT_EQ(e->host, "lambda.example.com");
    EXPECT_EQ(e->port, "80");
    EXPECT_EQ(e->base_path, "/base");
    EXPECT_EQ(e->host_header, "lambda.example.com");

    e = parse_lambda_endpoint("http://[::1]:8080", error);
    ASSERT_TRUE(e) << error;
    EXPECT_EQ(e->host, "::1");
    EXPECT_EQ(e->host_header, "[::1]:8080");
}

TEST(LambdaEndpoint, ParsesHttpsUrls) {
    std::string error;
    auto e = parse_lambda_endpoint("https://lambda.us-east-1.amazonaws.com", error);
    ASSERT_TRUE(e) << error;
    EXPECT_TRUE(e->tls);
    EXPECT_EQ(e->host, "lambda.us-east-1.amazonaws.com");
    EXPECT_EQ(e->port, "443");
    EXPECT_EQ(e->host_header, "lambda.us-east-1.amazonaws.com");

    e = parse_lambda_endpoint("HTTPS://127.0.0.1:8443/base", error);
    ASSERT_TRUE(e) << error;
    EXPECT_TRUE(e->tls);
    EXPECT_EQ(e->port, "8443");
    EXPECT_EQ(e->base_path, "/base");
    EXPECT_EQ(e->host_header, "127.0.0.1:8443");

    // The default port of the other scheme is not left out of Host.
    e = parse_lambda_endpoint("https://h:80", error);
    ASSERT_TRUE(e) << error;
    EXPECT_EQ(e->host_header, "h:80");
    e = parse_lambda_endpoint("http://h:443", error);
    ASSERT_TRUE(e) << error;
    EXPECT_FALSE(e->tls);
    EXPECT_EQ(e->host_header, "h:443");
}

TEST(LambdaEndpoint, RefusesWhatItCannotCall) {
    std::string error;
    for (auto url : {"", "127.0.0.1:9001", "ftp://x", "ws://h", "http://", "https://", "http://h:0",
                     "http://h:99999", "http://u:p@h", "http://h/?q=1", "https://h#f"}) {
        error.clear();
        EXPECT_FALSE(parse_lambda_endpoint(url, error)) << url;
        EXPECT_FALSE(error.empty()) << url;
    }
}

TEST(LambdaEndpoint, InvokeTargetAndRegion) {
    std::string error;
    auto e = *parse_lambda_endpoint("http://h:1/p", error);
    EXPECT_EQ(
        invoke_target(e, "arn:aws:lambda:eu-west-1:123456789012:function:review"),
        "/p/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Areview/"
        "invocations");
    EXPECT_EQ(lambda_arn_region("arn:aws:lambda:eu-west-1:123456789012:function:review"),
              "eu-west-1");
    EXPECT_EQ(lambda_arn_region("arn:aws:lambda:ap-south-2:1:function:f:live"), "ap-south-2");
    EXPECT_EQ(lambda_arn_region("review"), "us-east-1");
    EXPECT_EQ(lambda_arn_region("arn:aws:lambda::1:function:f"), "us-east-1");
}

// A blocking HTTP/1.1 server on its own thread; `respond` answers each request (empty: never).
class FakeServer {
  public:
    using Responder = std::function<std::string(const std::string& head)>;
    explicit FakeServer(Responder respond, bool close_after_each = false)
        : respond_(std::move(respond)),
          close_after_each_(close_after_each),
          acceptor_(ctx_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeServer() {
        stopping_ = true;
        boost::system::error_code ec;
        tcp::socket poke(ctx_);
        poke.connect(acceptor_.local_endpoint(), ec);  // unblock accept()
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int connections() const { return connections_; }
    std::string last_head() {
        std::lock_guard l(m_);
        return last_head_;
    }

  private:
    void serve() {
        std::vector<std::thread> conns;
        while (!stopping_) {
            tcp::socket s(ctx_);
            boost::system::error_code ec;
            acceptor_.accept(s, ec);
            if (ec || stopping_) break;
            ++connections_;
            conns.emplace_back([this, s = std::move(s)]() mutable { handle(std::move(s)); });
        }
        for (auto& t : conns) t.join();
    }
    void handle(tcp::socket s) {
        asio::streambuf buf;
        for (;;) {
            boost::system::error_code ec;
            auto n = asio::read_until(s, buf, "\r\n\r\n", ec);
            if (ec) return;
            std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
            buf.consume(n);
            auto cl = head.find("Content-Length: ");
            std::size_t len = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
            if (buf.size() < len) asio::read(s, buf, asio::transfer_exactly(len - buf.size()), ec);
            buf.consume(len);
            {
                std::lock_guard l(m_);
                last_head_ = head;
            }
            auto reply = respond_(head);
            if (reply.empty()) {  // hang: hold the connection until the client gives up
                char c;
                s.read_some(asio::buffer(&c, 1), ec);
                return;
            }
            asio::write(s, asio::buffer(reply), ec);
            if (ec || close_after_each_) return;
        }
    }

    Responder respond_;
    bool close_after_each_;
    asio::io_context ctx_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::mutex m_;
    std::string last_head_;
    std::thread thread_;
};

std::string http_response(int status, const std::string& body, const std::string& extra = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
           extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kArn = "arn:aws:lambda:us-west-2:123456789012:function:review";

InvokeResult invoke_once(LambdaInvokeClient& client, asio::io_context& ctx,
                         std::chrono::milliseconds budget = 500ms) {
    InvokeResult out;
    int calls = 0;
    client.invoke(ctx.get_executor(), 0, kArn, R"({"Content":"hi"})", budget, [&](InvokeResult r) {
        out = std::move(r);
        ++calls;
    });
    ctx.restart();
    ctx.run_for(5s);
    EXPECT_EQ(calls, 1);
    return out;
}

LambdaInvokeClient client_for(const std::string& url) {
    std::string error;
    return LambdaInvokeClient(*parse_lambda_endpoint(url, error), {"AKIDEXAMPLE", "secret"}, 1);
}

TEST(LambdaInvokeClient, PostsASignedInvokeAndReadsTheAnswer) {
    FakeServer server(
        [](const std::string&) { return http_response(200, R"({"ReviewResult":"ALLOW"})"); });
    asio::io_context ctx;  // outlives the client: pooled sockets belong to it
    auto client = client_for(server.url());
    auto r = invoke_once(client, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::Ok) << r.detail;
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"ReviewResult":"ALLOW"})");
    auto head = server.last_head();
    EXPECT_EQ(head.rfind("POST "
                         "/2015-03-31/functions/"
                         "arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Areview/"
                         "invocations HTTP/1.1\r\n",
                         0),
              0u)
        << head;
    EXPECT_NE(head.find("authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
              std::string::npos)
        << head;
    EXPECT_NE(head.find("/us-west-2/lambda/aws4_request, "
                        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="),
              std::string::npos)
        << head;
    EXPECT_NE(head.find("Host: " + server.url().substr(7) + "\r\n"), std::string::npos) << head;
}

TEST(LambdaInvokeClient, ReusesKeepAliveConnections) {
    FakeServer server([](const std::string&) { return http_response(200, "{}"); });
    asio::io_context ctx;  // outlives the client: pooled sockets belong to it
    auto client = client_for(server.url());
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(invoke_once(client, ctx).outcome, InvokeResult::Outcome::Ok);
    EXPECT_EQ(server.connections(), 1);
}

TEST(LambdaInvokeClient, SurvivesAServerThatClosesIdleConnections) {
    FakeServer server([](const std::string&) { return http_response(200, "{}"); },
                      /*close_after_each=*/true);
    asio::io_context ctx;  // outlives the client: pooled sockets belong to it
    auto client = client_for(server.url());
    for (int i = 0; i < 4; ++i) {
        auto r = invoke_once(client, ctx);
        EXPECT_EQ(r.outcome, InvokeResult::Outcome::Ok) << r.detail;
        std::this_thread::sleep_for(20ms);  // let the FIN arrive (or not: then the retry covers it)
    }
    EXPECT_EQ(server.connections(), 4);
}

TEST(LambdaInvokeClient, ErrorsAreTold) {
    FakeServer server(
        [](const std::string&) { return http_response(500, R"({"Message":"boom"})"); });
    asio::io_context ctx;  // outlives the client: pooled sockets belong to it
    auto client = client_for(server.url());
    auto r = invoke_once(client, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::HttpError);
    EXPECT_EQ(r.status, 500u);

    FakeServer failing([](const std::string&) {
        return http_response(200, R"({"errorMessage":"x"})", "X-Amz-Function-Error: Unhandled\r\n");
    });
    auto client2 = client_for(failing.url());
    EXPECT_EQ(invoke_once(client2, ctx).outcome, InvokeResult::Outcome::FunctionError);
}

TEST(LambdaInvokeClient, NoAnswerWithinTheBudgetIsATimeout) {
    FakeServer server([](const std::string&) { return std::string(); });
    asio::io_context ctx;  // outlives the client: pooled sockets belong to it
    auto client = client_for(server.url());
    auto t0 = std::chrono::steady_clock::now();
    auto r = invoke_once(client, ctx, 100ms);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::Timeout);
    EXPECT_GE(elapsed, 95ms);
    EXPECT_LT(elapsed, 1s);
}

TEST(LambdaInvokeClient, RefusedConnectionIsAConnectionError) {
    std::string url;
    {
        FakeServer gone([](const std::string&) { return std::string(); });
        url = gone.url();
    }
    asio::io_context ctx;
    auto client = client_for(url);
    auto r = invoke_once(client, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::ConnectionError);
    EXPECT_FALSE(r.detail.empty());
}

}  // namespace
}  // namespace parley::messaging
