#pragma once
// A SigV4 signer for Parley's own clients (load tool, tests): produces exactly what botocore and
// the JS SDK would send for the same request.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/canonical_request.hpp"
#include "auth/credential_store.hpp"

namespace parley::auth {

// The Authorization value for a request that signs every header in `headers` (which must
// already hold host and the date header). target is the wire request-target, still
// percent-encoded; payload_hash is the hex SHA-256 of the body (or the x-amz-content-sha256
// value sent).
std::string authorization_header(const Credentials& c, std::string_view region,
                                 std::string_view service, std::string_view method,
                                 std::string_view target, const HeaderList& headers,
                                 std::string_view payload_hash, std::int64_t epoch_seconds);

// The headers to add to a request that also carries `Host: <host>`: x-amz-date,
// x-amz-content-sha256 and authorization (signed: host;x-amz-content-sha256;x-amz-date).
std::vector<std::pair<std::string, std::string>> sign_headers(
    const Credentials& c, std::string_view region, std::string_view service,
    std::string_view method, std::string_view target, std::string_view host, std::string_view body,
    std::int64_t epoch_seconds);

}  // namespace parley::auth
