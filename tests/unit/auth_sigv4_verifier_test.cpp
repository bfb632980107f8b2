// Round trips through sign_headers/authorization_header and SigV4Verifier, and every failure
// mode with the ApiError type (and, where AWS's wording is known, the message) it produces.
#include <gtest/gtest.h>

#include <random>

#include "auth/canonical_request.hpp"
#include "auth/sigv4_crypto.hpp"
#include "auth/sigv4_signer.hpp"
#include "auth/sigv4_verifier.hpp"
#include "auth_test_support.hpp"
#include "model/api_error.hpp"
#include "model/clock_format.hpp"

namespace parley::auth {
namespace {

using test::OwnedRequest;

constexpr std::int64_t kNow = 1714979289;  // 20240506T070809Z
constexpr const char* kHost = "localhost:8443";
const Credentials kCreds{"AKIAPARLEY0000000001", "secretKeyForTheVerifierTests/abcdefghij"};
constexpr const char* kArnPath =
    "/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FabcdEFGH1234";

// A request signed the way Parley's own clients sign (host;x-amz-content-sha256;x-amz-date).
OwnedRequest signed_request(std::string method, std::string target, std::string body,
                            std::int64_t at = kNow, const Credentials& c = kCreds,
                            std::string_view region = "us-east-1") {
    OwnedRequest r{std::move(method), std::move(target), {}, std::move(body)};
    r.add("Host", kHost);
    r.add("Content-Type", "application/json");
    for (auto& [n, v] : sign_headers(c, region, "ivschat", r.method, r.target, kHost, r.body, at))
        r.add(n, v);
    return r;
}

// A request signed the way botocore signs: no x-amz-content-sha256, every header signed.
OwnedRequest botocore_style(std::string method, std::string target, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers,
                            std::int64_t at = kNow, std::string_view service = "ivschat") {
    OwnedRequest r{std::move(method), std::move(target), std::move(headers), std::move(body)};
    std::string authz = authorization_header(kCreds, "us-east-1", service, r.method, r.target,
                                             r.header_list(), sha256_hex(r.body), at);
    r.add("Authorization", authz);
    return r;
}

class Verifier : public ::testing::Test {
  protected:
    Verifier() : verifier_(store_) { store_.add(kCreds); }

    model::ApiError rejection(const OwnedRequest& r, std::int64_t now = kNow) {
        try {
            verifier_.verify(r.view(), now);
        } catch (const model::ApiError& e) {
            EXPECT_EQ(e.status(), 403);
            return e;
        }
        ADD_FAILURE() << "request was accepted";
        return model::ApiError("none", 0, "");
    }
    void expect_accepted(const OwnedRequest& r, std::int64_t now = kNow) {
        try {
            EXPECT_EQ(verifier_.verify(r.view(), now).access_key_id, kCreds.access_key_id);
        } catch (const model::ApiError& e) {
            ADD_FAILURE() << e.type() << ": " << e.message();
        }
    }

    CredentialStore store_;
    SigV4Verifier verifier_;
};

constexpr const char* kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

TEST_F(Verifier, GoodRequestPasses) {
    expect_accepted(signed_request("POST", "/CreateRoom", R"({"name":"lobby"})"));
    expect_accepted(signed_request("POST", "/ListRooms", ""));
}

TEST_F(Verifier, SignerOutputHasTheExpectedShape) {
    auto headers =
        sign_headers(kCreds, "us-east-1", "ivschat", "POST", "/CreateRoom", kHost, "{}", kNow);
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"x-amz-date", "20240506T070809Z"}));
    EXPECT_EQ(headers[1].first, "x-amz-content-sha256");
    EXPECT_EQ(headers[1].second, sha256_hex("{}"));
    EXPECT_EQ(headers[2].first, "authorization");
    EXPECT_EQ(headers[2].second.rfind(
                  "AWS4-HMAC-SHA256 Credential=AKIAPARLEY0000000001/20240506/us-east-1/ivschat/"
                  "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=",
                  0),
              0u);
    EXPECT_EQ(headers[2].second.size(), headers[2].second.rfind('=') + 1 + 64);
}

TEST_F(Verifier, AnyRegionInTheScopeIsAccepted) {
    expect_accepted(signed_request("POST", "/ListRooms", "{}", kNow, kCreds, "ap-south-1"));
    expect_accepted(signed_request("POST", "/ListRooms", "{}", kNow, kCreds, "parley-local"));
}

TEST_F(Verifier, MissingAuthorization) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    r.remove("authorization");
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "MissingAuthenticationTokenException");
    EXPECT_EQ(e.message(), "Missing Authentication Token");
    r.add("Authorization", "   ");
    EXPECT_EQ(rejection(r).type(), "MissingAuthenticationTokenException");
}

TEST_F(Verifier, MalformedAuthorization) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    std::string good = *r.find("authorization");
    auto with_authz = [&](std::string value) {
        *r.find("authorization") = std::move(value);
        return rejection(r);
    };

    auto e = with_authz("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_EQ(e.message(),
              "Authorization header requires 'Credential' parameter. Authorization header "
              "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
              "parameter. Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.e30.x");

    e = with_authz(good.substr(0, good.find(", Signature=")));
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("requires 'Signature' parameter"), std::string::npos);

    e = with_authz("AWS4-HMAC-SHA256 Credential");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("missing equal-sign"), std::string::npos);

    std::string other_alg = good;
    other_alg.replace(0, 16, "AWS4-HMAC-SHA512");
    e = with_authz(other_alg);
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("AWS4-HMAC-SHA512"), std::string::npos);

    e = with_authz(good + ", Signature=00");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("repeated 'Signature'"), std::string::npos);

    *r.find("authorization") = good;
    r.add("Authorization", good);
    EXPECT_EQ(rejection(r).type(), "IncompleteSignatureException");
}

TEST_F(Verifier, MissingDate) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    r.remove("x-amz-date");
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("Authorization header requires existence of either a 'X-Amz-Date' "
                               "or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential="),
              std::string::npos);
}

TEST_F(Verifier, MalformedDates) {
    for (const char* bad : {"2024-05-06T07:08:09Z", "20240506T070809", "20240230T070809Z",
                            "20240506T250809Z", "+0240506T070809Z", ""}) {
        OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
        *r.find("x-amz-date") = bad;
        EXPECT_EQ(rejection(r).type(), "IncompleteSignatureException") << bad;
    }
    for (const char* bad : {"yesterday", "Mon, 06 May 2024 07:08:09 +0200",
                            "Mon, 06 May 2024 07:08:09", "Mon, 06 Foo 2024 07:08:09 GMT"}) {
        OwnedRequest r = botocore_style("POST", "/ListRooms", "{}",
                                        {{"Host", kHost}, {"Date", model::format_http_date(kNow)}});
        *r.find("Date") = bad;
        EXPECT_EQ(rejection(r).type(), "IncompleteSignatureException") << bad;
    }
}

TEST_F(Verifier, BadCredentialScope) {
    auto scope_error = [&](const std::string& from, const std::string& to) {
        OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
        std::string& authz = *r.find("authorization");
        authz.replace(authz.find(from), from.size(), to);
        return rejection(r);
    };
    auto e = scope_error("/ivschat/", "/ivs/");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_EQ(e.message(), "Credential should be scoped to correct service: 'ivschat'. ");

    e = scope_error("/aws4_request", "/aws5_request");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_EQ(e.message(),
              "Credential should be scoped with a valid terminator: 'aws4_request', not "
              "'aws5_request'. ");

    e = scope_error("/20240506/", "/20240505/");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_EQ(e.message(),
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
              "from HTTP: '20240505' != '20240506', from '20240506T070809Z'.");

    e = scope_error("/us-east-1/", "/");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("exactly 5 slash-delimited elements"), std::string::npos);

    e = scope_error("/us-east-1/", "//");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_NE(e.message().find("valid region"), std::string::npos);

    e = scope_error("/aws4_request", "/aws4_request/extra");
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
}

TEST_F(Verifier, OtherServiceSignatureIsAScopeError) {
    OwnedRequest r =
        botocore_style("POST", "/ListRooms", "{}",
                       {{"Host", kHost}, {"X-Amz-Date", "20240506T070809Z"}}, kNow, "ivs");
    EXPECT_EQ(rejection(r).type(), "IncompleteSignatureException");
}

TEST_F(Verifier, UnknownAccessKey) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}", kNow,
                                    Credentials{"AKIAUNKNOWN000000000", kCreds.secret_access_key});
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "UnrecognizedClientException");
    EXPECT_EQ(e.message(), "The security token included in the request is invalid.");
}

TEST_F(Verifier, WrongSecret) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}", kNow,
                                    Credentials{kCreds.access_key_id, "not-the-secret"});
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "InvalidSignatureException");
    EXPECT_EQ(e.message(), kMismatch);
}

TEST_F(Verifier, ChangedBodyFails) {
    // With x-amz-content-sha256 (Parley signer, JS SDK) ...
    OwnedRequest r = signed_request("POST", "/CreateRoom", R"({"name":"a"})");
    r.body = R"({"name":"b"})";
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "InvalidSignatureException");
    EXPECT_EQ(e.message(),
              "The provided 'x-amz-content-sha256' header does not match what was computed.");
    // ... and with the header also rewritten to match the new body.
    *r.find("x-amz-content-sha256") = sha256_hex(r.body);
    EXPECT_EQ(rejection(r).message(), kMismatch);
    // Without it (botocore): the body hash is part of the canonical request.
    OwnedRequest b = botocore_style("POST", "/CreateRoom", R"({"name":"a"})",
                                    {{"Host", kHost}, {"X-Amz-Date", "20240506T070809Z"}});
    expect_accepted(b);
    b.body = R"({"name":"b"})";
    EXPECT_EQ(rejection(b).message(), kMismatch);
}

TEST_F(Verifier, ChangedSignedHeaderFailsUnsignedHeaderDoesNot) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    r.add("User-Agent", "anything");         // not signed
    *r.find("Content-Type") = "text/plain";  // not signed by Parley's signer
    expect_accepted(r);
    *r.find("Host") = "evil.example.com";
    EXPECT_EQ(rejection(r).message(), kMismatch);

    OwnedRequest b = botocore_style("POST", "/ListRooms", "{}",
                                    {{"Host", kHost},
                                     {"Content-Type", "application/json"},
                                     {"X-Amz-Date", "20240506T070809Z"}});
    expect_accepted(b);
    *b.find("Content-Type") = "application/x-amz-json-1.1";
    EXPECT_EQ(rejection(b).message(), kMismatch);
}

TEST_F(Verifier, ChangedPathOrQueryFails) {
    OwnedRequest r = signed_request("POST", "/DeleteRoom", "{}");
    r.target = "/DeleteLoggingConfiguration";
    EXPECT_EQ(rejection(r).message(), kMismatch);

    OwnedRequest q = signed_request("DELETE", std::string(kArnPath) + "?tagKeys=a", "");
    expect_accepted(q);
    q.target = std::string(kArnPath) + "?tagKeys=b";
    EXPECT_EQ(rejection(q).message(), kMismatch);
    q.target = kArnPath;
    EXPECT_EQ(rejection(q).message(), kMismatch);
    OwnedRequest m = signed_request("POST", "/ListRooms", "{}");
    m.method = "PUT";
    EXPECT_EQ(rejection(m).message(), kMismatch);
}

TEST_F(Verifier, ClockSkew) {
    // Exactly five minutes either way is still accepted.
    expect_accepted(signed_request("POST", "/ListRooms", "{}", kNow - 300));
    expect_accepted(signed_request("POST", "/ListRooms", "{}", kNow + 300));

    auto e = rejection(signed_request("POST", "/ListRooms", "{}", kNow - 301));
    EXPECT_EQ(e.type(), "InvalidSignatureException");
    EXPECT_EQ(e.message(),
              "Signature expired: 20240506T070308Z is now earlier than 20240506T070309Z "
              "(20240506T070809Z - 5 min.)");

    e = rejection(signed_request("POST", "/ListRooms", "{}", kNow + 301));
    EXPECT_EQ(e.type(), "InvalidSignatureException");
    EXPECT_EQ(e.message(),
              "Signature not yet current: 20240506T071310Z is still later than 20240506T071309Z "
              "(20240506T070809Z + 5 min.)");
    EXPECT_EQ(e.message().find("Signature expired"), std::string::npos);

    // A configurable window.
    SigV4Verifier strict(store_, "ivschat", std::chrono::seconds(60));
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}", kNow - 61);
    try {
        strict.verify(r.view(), kNow);
        ADD_FAILURE() << "accepted";
    } catch (const model::ApiError& err) {
        EXPECT_NE(err.message().find("- 1 min."), std::string::npos);
    }
}

TEST_F(Verifier, DateHeaderVariant) {
    // RFC 1123 with GMT, and botocore's formatdate() spelling with -0000.
    for (const std::string& date :
         {model::format_http_date(kNow), std::string("Mon, 06 May 2024 07:08:09 -0000")}) {
        OwnedRequest r =
            botocore_style("POST", "/CreateRoom", R"({"name":"d"})",
                           {{"Host", kHost}, {"Content-Type", "application/json"}, {"Date", date}});
        expect_accepted(r);
        r.body = "{}";
        EXPECT_EQ(rejection(r).message(), kMismatch);
    }
    // Skew is measured from the Date header too.
    OwnedRequest old = botocore_style(
        "POST", "/ListRooms", "{}",
        {{"Host", kHost}, {"Date", model::format_http_date(kNow - 900)}}, kNow - 900);
    EXPECT_NE(rejection(old).message().find("Signature expired: 20240506T065309Z"),
              std::string::npos);
}

TEST_F(Verifier, XAmzDateIsPreferredOverDate) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    r.add("Date", model::format_http_date(kNow - 7200));  // unsigned, ignored
    expect_accepted(r);
}

TEST_F(Verifier, EncodedArnPathIsDoubleEncodedLikeBotocoreAndJs) {
    OwnedRequest r = signed_request("GET", kArnPath, "");
    expect_accepted(r);
    EXPECT_NE(canonical_request("GET", kArnPath, r.header_list(), "host", kEmptyPayloadHash)
                  .find("\n/tags/arn%253Aaws%253Aivschat%253Aus-east-1%253A123456789012%253Aroom%"
                        "252FabcdEFGH1234\n"),
              std::string::npos);
    // The single-encoded form (what a signer that forgot the second encoding sends) fails.
    OwnedRequest single{"GET", kArnPath, {{"Host", kHost}, {"X-Amz-Date", "20240506T070809Z"}}, ""};
    const std::string creq = canonical_request(
        "GET", "/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FabcdEFGH1234", "",
        canonical_headers(single.header_list(), "host;x-amz-date"), "host;x-amz-date",
        kEmptyPayloadHash);
    const std::string scope = credential_scope("20240506", "us-east-1", "ivschat");
    const std::string sig = signature_hex(
        derive_signing_key(kCreds.secret_access_key, "20240506", "us-east-1", "ivschat"),
        string_to_sign("20240506T070809Z", scope, creq));
    single.add("Authorization", "AWS4-HMAC-SHA256 Credential=" + kCreds.access_key_id + "/" +
                                    scope + ", SignedHeaders=host;x-amz-date, Signature=" + sig);
    EXPECT_EQ(rejection(single).message(), kMismatch);
}

TEST_F(Verifier, NonCanonicalWirePathAcceptedEitherWayItWasSigned) {
    const std::string wire = "/tags/arn%3aaws:ivschat%3Aus-east-1%3A123456789012%3Aroom%2fab";
    // As botocore / JS would sign this exact wire path (quote of the path as sent).
    expect_accepted(signed_request("GET", wire, ""));
    // As a signer that held the decoded path and encoded it canonically, twice.
    OwnedRequest r{"GET", wire, {{"Host", kHost}, {"X-Amz-Date", "20240506T070809Z"}}, ""};
    const std::string creq =
        canonical_request("GET", canonical_uri_reencoded(wire), "",
                          canonical_headers(r.header_list(), "host;x-amz-date"), "host;x-amz-date",
                          kEmptyPayloadHash);
    const std::string scope = credential_scope("20240506", "us-east-1", "ivschat");
    r.add("Authorization", "AWS4-HMAC-SHA256 Credential=" + kCreds.access_key_id + "/" + scope +
                               ", SignedHeaders=host;x-amz-date, Signature=" +
                               signature_hex(derive_signing_key(kCreds.secret_access_key,
                                                                "20240506", "us-east-1", "ivschat"),
                                             string_to_sign("20240506T070809Z", scope, creq)));
    expect_accepted(r);
}

TEST_F(Verifier, RepeatedTagKeysAreSortedWhateverTheWireOrder) {
    OwnedRequest r =
        signed_request("DELETE", std::string(kArnPath) + "?tagKeys=zeta&tagKeys=alpha", "");
    expect_accepted(r);
    // A proxy reordering the query does not break the signature.
    r.target = std::string(kArnPath) + "?tagKeys=alpha&tagKeys=zeta";
    expect_accepted(r);
    EXPECT_NE(canonical_request("DELETE", r.target, r.header_list(), "host", kEmptyPayloadHash)
                  .find("\ntagKeys=alpha&tagKeys=zeta\n"),
              std::string::npos);
}

TEST_F(Verifier, SecurityToken) {
    // Signed: well-formed, but Parley has no session credentials.
    OwnedRequest r = botocore_style("POST", "/ListRooms", "{}",
                                    {{"Host", kHost},
                                     {"X-Amz-Date", "20240506T070809Z"},
                                     {"X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE"}});
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "UnrecognizedClientException");
    EXPECT_EQ(e.message(), "The security token included in the request is invalid.");
    // Present but not signed.
    OwnedRequest u = signed_request("POST", "/ListRooms", "{}");
    u.add("X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE");
    EXPECT_EQ(rejection(u).type(), "IncompleteSignatureException");
}

TEST_F(Verifier, HostMustBeSigned) {
    OwnedRequest r =
        botocore_style("POST", "/ListRooms", "{}", {{"X-Amz-Date", "20240506T070809Z"}});
    r.add("Host", kHost);
    auto e = rejection(r);
    EXPECT_EQ(e.type(), "IncompleteSignatureException");
    EXPECT_EQ(e.message(),
              "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_F(Verifier, UnsignedPayloadIsRefused) {
    OwnedRequest r = botocore_style("POST", "/ListRooms", "{}",
                                    {{"Host", kHost},
                                     {"X-Amz-Date", "20240506T070809Z"},
                                     {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}});
    EXPECT_EQ(rejection(r).type(), "InvalidSignatureException");
}

TEST_F(Verifier, HeaderNamesInAnyCaseAndRepeatedValues) {
    OwnedRequest r = botocore_style("POST", "/ListRooms", "{}",
                                    {{"HOST", kHost},
                                     {"x-AMZ-date", "20240506T070809Z"},
                                     {"X-Custom", " a  b "},
                                     {"x-custom", "c"}});
    expect_accepted(r);
    std::swap(r.headers[2], r.headers[3]);  // order of repeated values is signed
    EXPECT_EQ(rejection(r).message(), kMismatch);
}

TEST_F(Verifier, UpperCaseHexSignatureIsAccepted) {
    OwnedRequest r = signed_request("POST", "/ListRooms", "{}");
    std::string& authz = *r.find("authorization");
    std::size_t at = authz.rfind('=') + 1;
    for (std::size_t i = at; i < authz.size(); ++i)
        authz[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(authz[i])));
    expect_accepted(r);
    authz.pop_back();
    EXPECT_EQ(rejection(r).message(), kMismatch);
}

// Garbage in any field must end in an ApiError, never a crash or another exception.
TEST_F(Verifier, RandomMutationsOnlyEverThrowApiError) {
    std::mt19937 rng(12345);
    const std::string alphabet = "AWS4-HMAC-SHA256 Credential=/,;=%:?&#\t\r\n0123456789abcdefZ";
    const OwnedRequest base = signed_request("DELETE", std::string(kArnPath) + "?tagKeys=a", "{}");
    for (int i = 0; i < 3000; ++i) {
        OwnedRequest r = base;
        std::string* field = nullptr;
        switch (i % 4) {
            case 0:
                field = r.find("authorization");
                break;
            case 1:
                field = &r.target;
                break;
            case 2:
                field = r.find("x-amz-date");
                break;
            default:
                field = r.find("x-amz-content-sha256");
                break;
        }
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits; ++k) {
            std::size_t pos = field->empty() ? 0 : rng() % (field->size() + 1);
            switch (rng() % 3) {
                case 0:
                    field->insert(pos, 1, alphabet[rng() % alphabet.size()]);
                    break;
                case 1:
                    if (pos < field->size()) field->erase(pos, 1 + rng() % 8);
                    break;
                default:
                    if (pos < field->size()) (*field)[pos] = static_cast<char>(rng() % 256);
                    break;
            }
        }
        try {
            verifier_.verify(r.view(), kNow);
        } catch (const model::ApiError& e) {
            EXPECT_EQ(e.status(), 403);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "unexpected exception: " << e.what();
        }
    }
}

}  // namespace
}  // namespace parley::auth
