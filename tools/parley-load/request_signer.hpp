#pragma once
// SigV4 signing of the tool's own requests (POST to a plain path, no query),
// the same headers botocore signs: host;x-amz-content-sha256;x-amz-date.
// Self-contained because the tool links only parley_model; the server's
// verifier is what proves it right. The derived key is cached per day, so
// signing costs two SHA-256 and one HMAC per request.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::load {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
};

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

class RequestSigner {
  public:
    RequestSigner(Credentials credentials, std::string region, std::string service = "ivschat");

    // x-amz-date, x-amz-content-sha256 and authorization for a request that also
    // sends `Host: host`. path must be made of unreserved characters and '/'.
    HeaderPairs sign(std::string_view method, std::string_view path, std::string_view host,
                     std::string_view body, std::int64_t epoch_seconds);

  private:
    const std::string& signing_key(std::string_view day);

    Credentials credentials_;
    std::string region_;
    std::string service_;
    std::string cached_day_;
    std::string cached_key_;
};

std::string sha256_hex(std::string_view data);

}  // namespace parley::load
