// Known answers from the official clients, captured at a fixed clock with fixed credentials by
// tests/data/sigv4/sdk_vectors/{botocore_vectors.py,js_vectors.cjs} (botocore 1.43.11, the
// AWS CLI's signer; @aws-sdk/client-ivschat 3.952.0). Each request is replayed exactly as it
// went on the wire: the verifier must accept it, and our signer must reproduce botocore's
// Authorization from the headers botocore signed.
#include <gtest/gtest.h>

#include "auth/canonical_request.hpp"
#include "auth/sigv4_crypto.hpp"
#include "auth/sigv4_signer.hpp"
#include "auth/sigv4_verifier.hpp"
#include "auth_test_support.hpp"
#include "model/api_error.hpp"

namespace parley::auth {
namespace {

using test::OwnedRequest;

constexpr std::int64_t kSdkTime = 1714979289;  // 20240506T070809Z
const Credentials kSdkCreds{"AKIAPARLEYTEST000001", "parleySecretKeyForUnitTests/0123456789ab"};
constexpr const char* kTagsPathUsEast1 =
    "/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FabcdEFGH1234";
constexpr const char* kTagsPathEuWest1 =
    "/tags/arn%3Aaws%3Aivschat%3Aeu-west-1%3A123456789012%3Aroom%2FabcdEFGH1234";
constexpr const char* kBotoUserAgent =
    "Botocore/1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 "
    "md/pyimpl#CPython m/b,Z,e,D cfg/retry-mode#legacy";
constexpr const char* kJsUserAgent =
    "aws-sdk-js/3.952.0 ua/2.1 os/linux#6.18.44-fc-v657 lang/js md/nodejs#20.20.2 "
    "api/ivschat#3.952.0 m/E,e";

class SdkVectors : public ::testing::Test {
  protected:
    SdkVectors() : verifier_(store_) { store_.add(kSdkCreds); }

    void expect_accepted(const OwnedRequest& req) {
        try {
            EXPECT_EQ(verifier_.verify(req.view(), kSdkTime).access_key_id,
                      kSdkCreds.access_key_id);
        } catch (const model::ApiError& e) {
            FAIL() << e.type() << ": " << e.message();
        }
    }
    void expect_rejected(const OwnedRequest& req) {
        EXPECT_THROW(verifier_.verify(req.view(), kSdkTime), model::ApiError);
    }

    CredentialStore store_;
    SigV4Verifier verifier_;
};

OwnedRequest botocore_create_room() {
    OwnedRequest r{"POST", "/CreateRoom", {}, "{\"name\": \"lobby\"}"};
    r.add("Host", "ivschat.us-east-1.amazonaws.com");
    r.add("Content-Type", "application/json");
    r.add("User-Agent", kBotoUserAgent);
    r.add("X-Amz-Date", "20240506T070809Z");
    r.add("Authorization",
          "AWS4-HMAC-SHA256 Credential=AKIAPARLEYTEST000001/20240506/us-east-1/ivschat/"
          "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
          "Signature=da68a57de45411fa11901864e8d7a30a05da4c55b7624a3c146275d175e3bb2c");
    r.add("amz-sdk-invocation-id", "71e55af1-bc4a-46af-ac10-619a0bc08e0b");
    r.add("amz-sdk-request", "attempt=1");
    r.add("Content-Length", "17");
    return r;
}

TEST_F(SdkVectors, BotocoreCreateRoom) {
    OwnedRequest req = botocore_create_room();
    expect_accepted(req);
    const HeaderList signed_set = {{"content-type", "application/json"},
                                   {"host", "ivschat.us-east-1.amazonaws.com"},
                                   {"x-amz-date", "20240506T070809Z"}};
    EXPECT_EQ(authorization_header(kSdkCreds, "us-east-1", "ivschat", "POST", "/CreateRoom",
                                   signed_set, sha256_hex(req.body), kSdkTime),
              *req.find("Authorization"));
    req.body = "{\"name\": \"lobbY\"}";
    expect_rejected(req);
}

TEST_F(SdkVectors, BotocoreListTagsForResourceDoubleEncodesTheArn) {
    OwnedRequest req{"GET", kTagsPathUsEast1, {}, ""};
    req.add("Host", "ivschat.us-east-1.amazonaws.com");
    req.add("User-Agent", kBotoUserAgent);
    req.add("X-Amz-Date", "20240506T070809Z");
    req.add("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAPARLEYTEST000001/20240506/us-east-1/ivschat/"
            "aws4_request, SignedHeaders=host;x-amz-date, "
            "Signature=b6ffe6fdbd11e7a281d9fccab4775770921d70a059314c73d6c63c6efea7da95");
    req.add("amz-sdk-invocation-id", "7c3fe847-795c-4224-8135-8cee2e5555a2");
    req.add("amz-sdk-request", "attempt=1");
    expect_accepted(req);
    const HeaderList signed_set = {{"host", "ivschat.us-east-1.amazonaws.com"},
                                   {"x-amz-date", "20240506T070809Z"}};
    EXPECT_EQ(authorization_header(kSdkCreds, "us-east-1", "ivschat", "GET", kTagsPathUsEast1,
                                   signed_set, kEmptyPayloadHash, kSdkTime),
              *req.find("Authorization"));
}

TEST_F(SdkVectors, BotocoreUntagResourceSortsRepeatedTagKeys) {
    OwnedRequest req{
        "DELETE",
        std::string(kTagsPathUsEast1) + "?tagKeys=zeta&tagKeys=alpha&tagKeys=mid%20dle",
        {},
        ""};
    req.add("Host", "ivschat.us-east-1.amazonaws.com");
    req.add("User-Agent", kBotoUserAgent);
    req.add("X-Amz-Date", "20240506T070809Z");
    req.add("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAPARLEYTEST000001/20240506/us-east-1/ivschat/"
            "aws4_request, SignedHeaders=host;x-amz-date, "
            "Signature=dad52378f74c78479eea8cb2b7b2dfe27cc55d4b4d48f935749a85ad25a59393");
    req.add("amz-sdk-invocation-id", "06d73286-f105-4ef4-a1a5-392c5f58fd62");
    req.add("amz-sdk-request", "attempt=1");
    req.add("Content-Length", "0");
    expect_accepted(req);
    req.target = std::string(kTagsPathUsEast1) + "?tagKeys=zeta&tagKeys=alpha";
    expect_rejected(req);
}

// botocore's own canonical requests (eu-west-1 run), recorded from SigV4Auth.canonical_request.
TEST_F(SdkVectors, CanonicalRequestsEqualBotocores) {
    const HeaderList headers = {{"Host", "ivschat.eu-west-1.amazonaws.com"},
                                {"X-Amz-Date", "20240506T070809Z"}};
    EXPECT_EQ(
        canonical_request("GET", kTagsPathEuWest1, headers, "host;x-amz-date", kEmptyPayloadHash),
        "GET\n/tags/"
        "arn%253Aaws%253Aivschat%253Aeu-west-1%253A123456789012%253Aroom%252FabcdEFGH1234\n"
        "\nhost:ivschat.eu-west-1.amazonaws.com\nx-amz-date:20240506T070809Z\n\nhost;x-amz-"
        "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(canonical_request(
                  "DELETE",
                  std::string(kTagsPathEuWest1) + "?tagKeys=zeta&tagKeys=alpha&tagKeys=mid%20dle",
                  headers, "host;x-amz-date", kEmptyPayloadHash),
              "DELETE\n/tags/"
              "arn%253Aaws%253Aivschat%253Aeu-west-1%253A123456789012%253Aroom%252FabcdEFGH1234\n"
              "tagKeys=alpha&tagKeys=mid%20dle&tagKeys=zeta\nhost:ivschat.eu-west-1.amazonaws."
              "com\nx-amz-date:20240506T070809Z\n\nhost;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// When a request already has a Date header botocore re-writes it (email.utils.formatdate, so
// "-0000" rather than "GMT") and sends no X-Amz-Date.
TEST_F(SdkVectors, BotocoreDateHeaderVariant) {
    const std::string body =
        "{\"roomIdentifier\": \"arn:aws:ivschat:eu-west-1:123456789012:room/abcdEFGH1234\", "
        "\"userId\": \"u1\"}";
    OwnedRequest req{"POST", "/CreateChatToken", {}, body};
    req.add("Host", "ivschat.eu-west-1.amazonaws.com");
    req.add("Content-Type", "application/json");
    req.add("User-Agent", kBotoUserAgent);
    req.add("Date", "Mon, 06 May 2024 07:08:09 -0000");
    req.add("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAPARLEYTEST000001/20240506/eu-west-1/ivschat/"
            "aws4_request, SignedHeaders=content-type;date;host, "
            "Signature=4fe06a408be50ba5fb3b54ec3daa818da047badc45e4ec1566721dec27eab1dc");
    req.add("amz-sdk-invocation-id", "c2352ba1-29b3-4f96-ae17-e9ed893ce437");
    req.add("amz-sdk-request", "attempt=1");
    req.add("Content-Length", "94");
    ASSERT_EQ(body.size(), 94u);
    expect_accepted(req);
    EXPECT_EQ(canonical_request("POST", "/CreateChatToken", req.header_list(),
                                "content-type;date;host", sha256_hex(body)),
              "POST\n/CreateChatToken\n\ncontent-type:application/json\ndate:Mon, 06 May 2024 "
              "07:08:09 -0000\nhost:ivschat.eu-west-1.amazonaws.com\n\ncontent-type;date;host\n"
              "438db84c9d43420ae27bb0127803853766257d6eb261232bedd8f072d3d46a00");
}

void add_js_common(OwnedRequest& r, const char* invocation_id, const char* payload_hash,
                   const char* signed_headers, const char* signature) {
    r.add("x-amz-user-agent", "aws-sdk-js/3.952.0");
    r.add("user-agent", kJsUserAgent);
    r.add("host", "ivschat.us-east-1.amazonaws.com");
    r.add("amz-sdk-invocation-id", invocation_id);
    r.add("amz-sdk-request", "attempt=1; max=3");
    r.add("x-amz-date", "20240506T070809Z");
    r.add("x-amz-content-sha256", payload_hash);
    r.add("authorization",
          std::string("AWS4-HMAC-SHA256 Credential=AKIAPARLEYTEST000001/20240506/us-east-1/"
                      "ivschat/aws4_request, SignedHeaders=") +
              signed_headers + ", Signature=" + signature);
}

TEST_F(SdkVectors, JsSdkCreateRoomWithContentSha256) {
    OwnedRequest req{"POST", "/CreateRoom", {}, "{\"name\":\"lobby\"}"};
    req.add("content-type", "application/json");
    req.add("content-length", "16");
    add_js_common(req, "ed8d50be-d30c-45a1-935d-520cde466870",
                  "9d7b93b7763614a3dc30f684aced797908cd58107ab5ebc2fc69729d6edad5c6",
                  "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-"
                  "content-sha256;x-amz-date;x-amz-user-agent",
                  "d8573b0cae01d224d64111b7b495480353c3d607495e9cabfc9eaa8985210e1f");
    expect_accepted(req);
    // A signed header the SDK added may not change.
    *req.find("amz-sdk-request") = "attempt=2; max=3";
    expect_rejected(req);
}

TEST_F(SdkVectors, JsSdkListTagsForResource) {
    OwnedRequest req{"GET", kTagsPathUsEast1, {}, ""};
    add_js_common(req, "64934945-1f23-4abd-9d70-34cf8df0fb7f", kEmptyPayloadHash.data(),
                  "amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-"
                  "amz-user-agent",
                  "7e0e34d4c0c4b2cc9f15b5cd3de4200d82d75fb0a0627afe326ee953fd99ccc5");
    expect_accepted(req);
}

TEST_F(SdkVectors, JsSdkUntagResource) {
    OwnedRequest req{
        "DELETE",
        std::string(kTagsPathUsEast1) + "?tagKeys=zeta&tagKeys=alpha&tagKeys=mid%20dle",
        {},
        ""};
    add_js_common(req, "44613d3e-0883-401f-a15a-9c95c7c4926f", kEmptyPayloadHash.data(),
                  "amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date;x-"
                  "amz-user-agent",
                  "d01d4bf9c539e08fd8be30dc71d9ad8715dd7fc3209ee67dd1515d6c4b9c4f81");
    expect_accepted(req);
}

}  // namespace
}  // namespace parley::auth
