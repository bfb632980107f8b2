#pragma once
// The parts of a SigV4 Authorization header:
//   AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ivschat/aws4_request,
//   SignedHeaders=host;x-amz-date, Signature=<64 hex>
// Views point into the header value.
#include <optional>
#include <string_view>

namespace parley::auth {

struct AuthorizationHeader {
    std::string_view algorithm;
    std::optional<std::string_view> credential;
    std::optional<std::string_view> signed_headers;
    std::optional<std::string_view> signature;
};

// Throws model::ApiError (IncompleteSignatureException) for a parameter without '=' or a
// repeated parameter; missing parameters are left empty for the caller to report. Parameters
// are read only for AWS4-* schemes.
AuthorizationHeader parse_authorization(std::string_view value);

struct CredentialScopeParts {
    std::string_view access_key_id;
    std::string_view date;
    std::string_view region;
    std::string_view service;
    std::string_view terminator;
};

// Exactly five '/'-separated elements, or nullopt.
std::optional<CredentialScopeParts> parse_credential(std::string_view credential);

}  // namespace parley::auth
