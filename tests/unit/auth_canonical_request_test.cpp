// Canonicalisation pieces: encoding, path normalisation, query ordering, header values.
#include <gtest/gtest.h>

#include "auth/canonical_request.hpp"
#include "auth/sigv4_crypto.hpp"

namespace parley::auth {
namespace {

TEST(UriEncode, KeepsUnreservedAndOptionallySlash) {
    EXPECT_EQ(uri_encode("AZaz09-._~", false), "AZaz09-._~");
    EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
    EXPECT_EQ(uri_encode("a b/c", false), "a%20b%2Fc");
    EXPECT_EQ(uri_encode("arn:aws!*'()+=&%", false), "arn%3Aaws%21%2A%27%28%29%2B%3D%26%25");
    EXPECT_EQ(uri_encode("\xE1\x88\xB4", false), "%E1%88%B4");
    EXPECT_EQ(uri_encode(std::string_view("\0", 1), false), "%00");
}

TEST(PercentDecode, DecodesValidEscapesAndKeepsBrokenOnes) {
    EXPECT_EQ(percent_decode("%41%2f%2F%3a"), "A//:");
    EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
    EXPECT_EQ(percent_decode("%"), "%");
    EXPECT_EQ(percent_decode("a+b"), "a+b");
    EXPECT_EQ(percent_decode(""), "");
}

TEST(SplitTarget, SeparatesPathAndQuery) {
    auto p = split_target("/tags/x?tagKeys=a&tagKeys=b");
    EXPECT_EQ(p.path, "/tags/x");
    EXPECT_EQ(p.query, "tagKeys=a&tagKeys=b");
    p = split_target("/CreateRoom");
    EXPECT_EQ(p.path, "/CreateRoom");
    EXPECT_EQ(p.query, "");
    p = split_target("http://h:8080/a/b?q=1#frag");
    EXPECT_EQ(p.path, "/a/b");
    EXPECT_EQ(p.query, "q=1");
    p = split_target("HTTPS://h");
    EXPECT_EQ(p.path, "");
    p = split_target("?x");
    EXPECT_EQ(p.path, "");
    EXPECT_EQ(p.query, "x");
}

TEST(RemoveDotSegments, MatchesBotocoreNormalisation) {
    EXPECT_EQ(remove_dot_segments("/example/.."), "/");
    EXPECT_EQ(remove_dot_segments("/example1/example2/../.."), "/");
    EXPECT_EQ(remove_dot_segments("//"), "/");
    EXPECT_EQ(remove_dot_segments("/./"), "/");
    EXPECT_EQ(remove_dot_segments("/./example"), "/example");
    EXPECT_EQ(remove_dot_segments("//example//"), "/example/");
    EXPECT_EQ(remove_dot_segments("/../../a"), "/a");
    EXPECT_EQ(remove_dot_segments("/a/%2E%2E/b"), "/a/%2E%2E/b");  // encoded dots are data
    EXPECT_EQ(remove_dot_segments("a/b/"), "a/b/");
    EXPECT_EQ(remove_dot_segments(""), "");
}

TEST(CanonicalUri, DoubleEncodesTheWirePathLikeTheSdks) {
    EXPECT_EQ(
        canonical_uri("/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2FabcdEFGH1234"),
        "/tags/arn%253Aaws%253Aivschat%253Aus-east-1%253A123456789012%253Aroom%252FabcdEFGH1234");
    EXPECT_EQ(canonical_uri(""), "/");
    EXPECT_EQ(canonical_uri("/"), "/");
    EXPECT_EQ(canonical_uri("/CreateRoom"), "/CreateRoom");
    EXPECT_EQ(canonical_uri("/example space/"), "/example%20space/");
    // botocore: quote() of the path as sent, without decoding it first.
    EXPECT_EQ(canonical_uri("/a%3ab:c"), "/a%253ab%3Ac");
}

TEST(CanonicalUri, ReencodedFormDecodesEachSegmentFirst) {
    EXPECT_EQ(canonical_uri_reencoded("/a%3ab:c"), "/a%253Ab%253Ac");
    EXPECT_EQ(canonical_uri_reencoded("/x%7Ey"), "/x~y");
    EXPECT_EQ(canonical_uri_reencoded("/tags/arn%3Aaws%2Froom"), "/tags/arn%253Aaws%252Froom");
    EXPECT_EQ(canonical_uri_reencoded(""), "/");
    // For canonically encoded paths (everything the SDKs send) both forms agree.
    const char* arn_path =
        "/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Alogging-configuration%2Fab12";
    EXPECT_EQ(canonical_uri_reencoded(arn_path), canonical_uri(arn_path));
}

TEST(CanonicalQuery, SortsByEncodedKeyThenValue) {
    EXPECT_EQ(canonical_query("tagKeys=zeta&tagKeys=alpha&tagKeys=mid%20dle"),
              "tagKeys=alpha&tagKeys=mid%20dle&tagKeys=zeta");
    EXPECT_EQ(canonical_query("Param2=value2&Param1=value1"), "Param1=value1&Param2=value2");
    EXPECT_EQ(canonical_query("b&a=1"), "a=1&b=");
    EXPECT_EQ(canonical_query("a=x+y"), "a=x%2By");
    EXPECT_EQ(canonical_query("k=%7e&j=%3a:"), "j=%3A%3A&k=~");
    EXPECT_EQ(canonical_query("a=1=2"), "a=1%3D2");
    EXPECT_EQ(canonical_query(""), "");
    EXPECT_EQ(canonical_query("&&"), "");
}

TEST(CanonicalHeaderValue, TrimsAndCollapsesWhitespace) {
    EXPECT_EQ(canonical_header_value("  a   b\t c  "), "a b c");
    EXPECT_EQ(canonical_header_value("\"a   b   c\""), "\"a b c\"");
    EXPECT_EQ(canonical_header_value(""), "");
    EXPECT_EQ(canonical_header_value(" \t "), "");
}

TEST(CanonicalHeaders, FollowsSignedHeadersAndJoinsRepeats) {
    HeaderList h = {
        {"Host", "example.com"}, {"My-Header", " v1 "}, {"X-Other", "x"}, {"my-header", "v2"}};
    EXPECT_EQ(canonical_headers(h, "host;my-header"), "host:example.com\nmy-header:v1,v2\n");
    EXPECT_EQ(canonical_headers(h, "host;absent"), "host:example.com\nabsent:\n");
    EXPECT_EQ(signed_headers_of(h), "host;my-header;x-other");
}

TEST(Crypto, KnownAnswers) {
    EXPECT_EQ(sha256_hex(""), kEmptyPayloadHash);
    EXPECT_EQ(sha256_hex("Param1=value1"),
              "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    // RFC 4231 test case 2.
    EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // The signing-key example of the AWS SigV4 documentation.
    EXPECT_EQ(hex_encode(derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                            "us-east-1", "iam")),
              "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    EXPECT_TRUE(constant_time_equals("abc", "abc"));
    EXPECT_FALSE(constant_time_equals("abc", "abd"));
    EXPECT_FALSE(constant_time_equals("abc", "abcd"));
    EXPECT_TRUE(constant_time_equals("", ""));
}

}  // namespace
}  // namespace parley::auth
