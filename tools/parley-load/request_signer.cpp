#include "request_signer.hpp"

#include "auth/sigv4_signer.hpp"

namespace parley::load {

RequestSigner::RequestSigner(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)) {}

HeaderPairs RequestSigner::sign(std::string_view method, std::string_view path,
                                std::string_view host, std::string_view body,
                                std::int64_t epoch_seconds) const {
    return auth::sign_headers(credentials_, region_, service_, method, path, host, body,
                              epoch_seconds);
}

}  // namespace parley::load
