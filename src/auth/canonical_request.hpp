#pragma once
// The SigV4 canonical request and string to sign, built from a request as it travels on the
// wire. Shared by the verifier and the signer so both sides canonicalise identically.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::auth {

// Header name/value pairs as received: names in any case, a name may repeat.
using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kScopeTerminator = "aws4_request";
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Percent-encodes every byte outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), with
// upper-case hex; '/' is kept when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);
// Decodes %XX escapes; a malformed escape is kept as literal text. '+' stays '+'.
std::string percent_decode(std::string_view s);

// The request-target split into its path and query (an absolute-form target is accepted).
struct TargetParts {
    std::string_view path;
    std::string_view query;
};
TargetParts split_target(std::string_view target);

// RFC 3986 dot-segment removal that also drops empty segments, as botocore and the JS SDK do.
std::string remove_dot_segments(std::string_view path);

// The canonical URI as botocore (quote(path, safe='/~')) and the JS SDK (escapeUri) compute it
// for non-S3 services: the path as sent, already percent-encoded, normalised and encoded
// again. So "/tags/arn%3Aaws" is signed as "/tags/arn%253Aaws".
std::string canonical_uri(std::string_view raw_path);
// The same for a signer that held the decoded path: each segment decoded, re-encoded in
// canonical form, then encoded again. Differs from canonical_uri only for paths that were not
// canonically encoded on the wire (lower-case hex, escaped unreserved or raw reserved bytes).
std::string canonical_uri_reencoded(std::string_view raw_path);

// Pairs split on '&' and the first '=', each side decoded and re-encoded (RFC 3986), sorted by
// key then value.
std::string canonical_query(std::string_view raw_query);

// Trimmed, with inner runs of whitespace collapsed to one space.
std::string canonical_header_value(std::string_view value);

// "name:value\n" for each name of signed_headers ("a;b;c", lower-case), values of a repeated
// header joined with ','.
std::string canonical_headers(const HeaderList& headers, std::string_view signed_headers);

// The six canonical-request lines joined with '\n'.
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);
// The canonical request of a wire request (target still percent-encoded, with its query).
std::string canonical_request(std::string_view method, std::string_view target,
                              const HeaderList& headers, std::string_view signed_headers,
                              std::string_view payload_hash);

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);  // date/region/service/aws4_request
std::string string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                           std::string_view canonical_request);

// Lower-cased names of headers, sorted and de-duplicated, joined with ';'.
std::string signed_headers_of(const HeaderList& headers);

}  // namespace parley::auth
