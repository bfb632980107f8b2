// https:// Lambda endpoints: an in-process TLS server with certificates made here, so the
// client's trust, host-name and SNI handling can be checked without a network or fixtures.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "messaging/edge_metrics.hpp"
#include "messaging/review/lambda_invoke_client.hpp"
#include "messaging/review/lambda_message_reviewer.hpp"
#include "messaging/review/lambda_tls_context.hpp"

namespace parley::messaging {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A self-signed P-256 certificate (CA:TRUE, so it can be its own trust anchor) for `san`.
struct TestCertificate {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};

    TestCertificate(const std::string& common_name, const std::string& san) {
        key.reset(EVP_EC_gen("P-256"));
        cert.reset(X509_new());
        if (!key || !cert) throw std::runtime_error("cannot create a key");
        X509* x = cert.get();
        X509_set_version(x, 2);
        static std::atomic<long> serial{1};
        ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key.get());
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0);
        X509_set_issuer_name(x, name);
        add_extension(NID_basic_constraints, "critical,CA:TRUE");
        add_extension(NID_key_usage, "critical,digitalSignature,keyCertSign");
        add_extension(NID_subject_alt_name, san);
        if (X509_sign(x, key.get(), EVP_sha256()) == 0)
            throw std::runtime_error("cannot sign the certificate");
    }

    void add_extension(int nid, const std::string& value) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (!ext) throw std::runtime_error("bad extension " + value);
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }

    std::string pem() const {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(bio, cert.get());
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return out;
    }
};

// A directory under /tmp removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "parley-tls-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        auto p = path_ / name;
        std::ofstream(p) << text;
        return p.string();
    }

  private:
    std::filesystem::path path_;
};

// A blocking HTTPS/1.1 server on its own thread answering every request with `reply`.
class TlsFakeServer {
  public:
    enum class Mode { Answer, CloseAfterEach, NeverHandshake };

    TlsFakeServer(const TestCertificate& cert, std::string reply, Mode mode = Mode::Answer)
        : reply_(std::move(reply)),
          mode_(mode),
          tls_(ssl::context::tls_server),
          acceptor_(ctx_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        SSL_CTX_use_certificate(tls_.native_handle(), cert.cert.get());
        SSL_CTX_use_PrivateKey(tls_.native_handle(), cert.key.get());
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~TlsFakeServer() {
        stopping_ = true;
        boost::system::error_code ec;
        tcp::socket poke(ctx_);
        poke.connect(acceptor_.local_endpoint(), ec);  // unblock accept()
        thread_.join();
    }
    std::string url(const std::string& host = "127.0.0.1") const {
        return "https://" + host + ":" + std::to_string(port_);
    }
    int connections() const { return connections_; }
    int requests() const { return requests_; }
    std::string last_head() {
        std::lock_guard l(m_);
        return last_head_;
    }
    std::string last_sni() {
        std::lock_guard l(m_);
        return last_sni_;
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
    void handle(tcp::socket socket) {
        boost::system::error_code ec;
        if (mode_ == Mode::NeverHandshake) {  // hold the connection until the client gives up
            char c[512];
            while (!ec) socket.read_some(asio::buffer(c), ec);  // the ClientHello, then EOF
            return;
        }
        ssl::stream<tcp::socket> s(std::move(socket), tls_);
        s.handshake(ssl::stream_base::server, ec);
        if (ec) return;  // e.g. the client refused the certificate
        {
            const char* sni = SSL_get_servername(s.native_handle(), TLSEXT_NAMETYPE_host_name);
            std::lock_guard l(m_);
            last_sni_ = sni ? sni : "";
        }
        asio::streambuf buf;
        for (;;) {
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
            ++requests_;
            asio::write(s, asio::buffer(reply_), ec);
            if (ec) return;
            if (mode_ == Mode::CloseAfterEach) {
                s.shutdown(ec);  // close_notify, then FIN when the socket goes
                return;
            }
        }
    }

    std::string reply_;
    Mode mode_;
    asio::io_context ctx_;
    ssl::context tls_;
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> requests_{0};
    std::mutex m_;
    std::string last_head_;
    std::string last_sni_;
    std::thread thread_;
};

const std::string kArn = "arn:aws:lambda:us-west-2:123456789012:function:review";
const std::string kAllow = R"({"ReviewResult":"ALLOW","Content":"hi"})";
const std::string kReply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(kAllow.size()) + "\r\n\r\n" + kAllow;

InvokeResult invoke_once(LambdaInvokeClient& client, asio::io_context& ctx,
                         std::chrono::milliseconds budget = 2s) {
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

std::unique_ptr<LambdaInvokeClient> client_for(const std::string& url, const std::string& ca_file) {
    std::string error;
    auto endpoint = parse_lambda_endpoint(url, error);
    if (!endpoint) throw std::runtime_error(error);
    // ca_file "": no context given, so the client falls back to the system trust store alone.
    return std::make_unique<LambdaInvokeClient>(
        *endpoint, auth::Credentials{"AKIDEXAMPLE", "secret"}, 1,
        ca_file.empty() ? nullptr : make_lambda_tls_context(ca_file));
}

class LambdaTls : public ::testing::Test {
  protected:
    TempDir dir;
    TestCertificate good{"localhost", "DNS:localhost,IP:127.0.0.1"};
    std::string good_ca = dir.write("good.pem", good.pem());
};

TEST_F(LambdaTls, ATrustedCertificateCarriesSignedInvokesOverOneConnection) {
    TlsFakeServer server(good, kReply);
    asio::io_context ctx;  // outlives the client: pooled connections belong to it
    auto client = client_for(server.url(), good_ca);
    for (int i = 0; i < 3; ++i) {
        auto r = invoke_once(*client, ctx);
        ASSERT_EQ(r.outcome, InvokeResult::Outcome::Ok) << r.detail;
        EXPECT_EQ(r.body, kAllow);
    }
    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(server.connections(), 1);  // one TLS handshake, then keep-alive
    auto head = server.last_head();
    EXPECT_NE(head.find("Host: 127.0.0.1:" + server.url().substr(18) + "\r\n"), std::string::npos)
        << head;
    EXPECT_NE(head.find("authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
              std::string::npos)
        << head;
    EXPECT_EQ(server.last_sni(), "");  // no SNI for an IP literal (RFC 6066)
}

TEST_F(LambdaTls, AHostNameIsResolvedAndSentAsSni) {
    TlsFakeServer server(good, kReply);
    asio::io_context ctx;
    auto client = client_for(server.url("localhost"), good_ca);
    auto r = invoke_once(*client, ctx);
    ASSERT_EQ(r.outcome, InvokeResult::Outcome::Ok) << r.detail;
    EXPECT_EQ(server.last_sni(), "localhost");
    EXPECT_NE(server.last_head().find("Host: localhost:"), std::string::npos);
}

TEST_F(LambdaTls, AnUntrustedCertificateIsAConnectionError) {
    TlsFakeServer server(good, kReply);
    asio::io_context ctx;
    // System trust store only: the self-signed certificate is not in it.
    auto client = client_for(server.url(), "");
    auto r = invoke_once(*client, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::ConnectionError);
    EXPECT_NE(r.detail.find("TLS handshake with 127.0.0.1:"), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("self-signed certificate"), std::string::npos) << r.detail;
    EXPECT_EQ(server.requests(), 0);

    // Trusting another CA does not help either.
    TestCertificate other{"other", "DNS:localhost,IP:127.0.0.1"};
    auto other_ca = dir.write("other.pem", other.pem());
    auto client2 = client_for(server.url(), other_ca);
    r = invoke_once(*client2, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::ConnectionError) << r.detail;
    EXPECT_EQ(server.requests(), 0);
}

TEST_F(LambdaTls, ACertificateForAnotherNameIsAConnectionError) {
    TestCertificate elsewhere{"elsewhere.example", "DNS:elsewhere.example"};
    auto ca = dir.write("elsewhere.pem", elsewhere.pem());
    TlsFakeServer server(elsewhere, kReply);
    asio::io_context ctx;

    auto by_ip = client_for(server.url(), ca);
    auto r = invoke_once(*by_ip, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::ConnectionError);
    EXPECT_NE(r.detail.find("IP address mismatch"), std::string::npos) << r.detail;

    auto by_name = client_for(server.url("localhost"), ca);
    r = invoke_once(*by_name, ctx);
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::ConnectionError);
    EXPECT_NE(r.detail.find("hostname mismatch"), std::string::npos) << r.detail;
    EXPECT_EQ(server.requests(), 0);
}

TEST_F(LambdaTls, AHandshakeThatNeverEndsIsATimeout) {
    TlsFakeServer server(good, kReply, TlsFakeServer::Mode::NeverHandshake);
    asio::io_context ctx;
    auto client = client_for(server.url(), good_ca);
    auto t0 = std::chrono::steady_clock::now();
    auto r = invoke_once(*client, ctx, 100ms);
    auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.outcome, InvokeResult::Outcome::Timeout);
    EXPECT_GE(elapsed, 95ms);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(LambdaTls, APooledConnectionTheServerClosedIsReplaced) {
    TlsFakeServer server(good, kReply, TlsFakeServer::Mode::CloseAfterEach);
    asio::io_context ctx;
    auto client = client_for(server.url(), good_ca);
    for (int i = 0; i < 3; ++i) {
        auto r = invoke_once(*client, ctx);
        EXPECT_EQ(r.outcome, InvokeResult::Outcome::Ok) << r.detail;
        std::this_thread::sleep_for(
            20ms);  // let close_notify/FIN arrive (else the retry covers it)
    }
    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(server.connections(), 3);
}

TEST_F(LambdaTls, AnUnreadableCaFileIsRefusedAtStart) {
    EXPECT_THROW(make_lambda_tls_context(dir.write("x", "") + ".missing"), std::invalid_argument);
    try {
        make_lambda_tls_context(dir.write("garbage.pem", "not a certificate\n"));
        ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--lambda-ca-file "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("garbage.pem"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(make_lambda_tls_context(good_ca));
    EXPECT_NO_THROW(make_lambda_tls_context(""));

    EdgeMetrics metrics;
    EXPECT_THROW(LambdaMessageReviewer("https://127.0.0.1:1", dir.write("y", "junk"),
                                       {"AKIDEXAMPLE", "secret"}, 1, metrics),
                 std::invalid_argument);
    EXPECT_NO_THROW(LambdaMessageReviewer("https://127.0.0.1:1", good_ca, {"AKIDEXAMPLE", "secret"},
                                          1, metrics));
}

}  // namespace
}  // namespace parley::messaging
