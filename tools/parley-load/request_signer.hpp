#pragma once
// SigV4 signing of the tool's own requests, through the project's signer (auth::sign_headers:
// host;x-amz-content-sha256;x-amz-date, as botocore signs), bound to one credential and region.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credential_store.hpp"

namespace parley::load {

using Credentials = auth::Credentials;
using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

class RequestSigner {
  public:
    RequestSigner(Credentials credentials, std::string region, std::string service = "ivschat");

    // x-amz-date, x-amz-content-sha256 and authorization for a request that also
    // sends `Host: host`.
    HeaderPairs sign(std::string_view method, std::string_view path, std::string_view host,
                     std::string_view body, std::int64_t epoch_seconds) const;

  private:
    Credentials credentials_;
    std::string region_;
    std::string service_;
};

}  // namespace parley::load
